using PaletteCluster.Training.Runtime;

namespace PaletteCluster.Training.Tests;

public class RuntimeTests
{
    [Fact]
    public void UnknownDeviceIsRejectedWithTheChoices()
    {
        var e = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.Initialize("tpu"));
        Assert.Contains("cpu, cuda", e.Message);
    }

    [Fact]
    public void CudaIsGivenWhereItExistsAndOtherwiseSaysHowToGetIt()
    {
        // This process runs whichever libtorch PALETTE_LIBTORCH names (the bundled CPU one unless set): both outcomes
        // are asserted, so the test checks something on either kind of machine. The CLI tests pin the CPU case.
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.Equal(TorchSharp.DeviceType.CUDA, TorchRuntime.Initialize("cuda").type);
        }
        else
        {
            var e = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.Initialize("cuda"));
            Assert.Contains("PALETTE_LIBTORCH", e.Message);
        }
    }

    [Theory]
    [InlineData("cudax")]
    [InlineData("cuda:")]
    [InlineData("cuda:a")]
    public void CudaLookalikesAreUnknownDevices(string device)
    {
        var e = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.Initialize(device));
        Assert.Contains($"unknown device '{device}'", e.Message);
    }

    [Fact]
    public void MissingLibTorchFolderIsNamed()
    {
        var e = Assert.Throws<TorchRuntimeException>(() => LibTorchFolder.Load("/nonexistent/torch/lib"));
        Assert.Contains("/nonexistent/torch/lib", e.Message);
    }

    [Fact]
    public void FolderWithoutLibTorchIsRejected()
    {
        var e = Assert.Throws<TorchRuntimeException>(() => LibTorchFolder.Load(Path.GetTempPath()));
        Assert.Contains("libtorch_cpu.so", e.Message);
    }
}

public class GcQuietZoneTests
{
    [Fact]
    public void HoldsOffCollectionsInsideAndRestoresAfter()
    {
        using (GcQuietZone.Enter()) // entering may collect once to make room
        {
            int before = GC.CollectionCount(0);
            Assert.Equal(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
            var garbage = Enumerable.Range(0, 10_000).Select(i => new byte[1024]).ToList(); // ~10 MB, within budget
            Assert.Equal(before, GC.CollectionCount(0));
            GC.KeepAlive(garbage);
        }
        Assert.NotEqual(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
    }

    [Fact]
    public void RenewsEveryFewStepsSoFinalizableNativeMemoryIsReclaimed()
    {
        using var span = new GcQuietSpan(16L << 20, renewEverySteps: 4);
        span.BeforeStep();
        int collections = GC.CollectionCount(0);
        for (int step = 0; step < 12; step++) span.BeforeStep();
        Assert.Equal(collections + 3, GC.CollectionCount(0)); // renewed at steps 4, 8 and 12
    }
}

public class GcQuietSpanTests
{
    [Fact]
    public void KeepsOneRegionAcrossStepsAndRenewsItOnlyAfterHalfTheBudgetWasAllocated()
    {
        const long budget = 64L << 20;
        using (var span = new GcQuietSpan(budget, renewEverySteps: 1000))
        {
            span.BeforeStep(); // starts the region (collecting once)
            int collections = GC.CollectionCount(0);
            for (int step = 0; step < 20; step++)
            {
                span.BeforeStep();
                Assert.Equal(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
                GC.KeepAlive(new byte[64 * 1024]); // small steps: 1.3 MB in all
            }
            Assert.Equal(collections, GC.CollectionCount(0)); // no collection per step

            GC.KeepAlive(Enumerable.Range(0, 40).Select(_ => new byte[1 << 20]).ToList()); // 40 MB: past half the budget
            span.BeforeStep(); // renewed at this boundary: one collection here, none inside steps
            Assert.Equal(collections + 1, GC.CollectionCount(0));
            Assert.Equal(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);

            using (GcQuietZone.Enter()) // a zone inside the span nests: no new region, no collection
                Assert.Equal(collections + 1, GC.CollectionCount(0));
            Assert.Equal(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
        }
        Assert.NotEqual(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
    }

    [Fact]
    public void RenewsEveryFewStepsSoFinalizableNativeMemoryIsReclaimed()
    {
        using var span = new GcQuietSpan(16L << 20, renewEverySteps: 4);
        span.BeforeStep();
        int collections = GC.CollectionCount(0);
        for (int step = 0; step < 12; step++) span.BeforeStep();
        Assert.Equal(collections + 3, GC.CollectionCount(0)); // renewed at steps 4, 8 and 12
    }
}
