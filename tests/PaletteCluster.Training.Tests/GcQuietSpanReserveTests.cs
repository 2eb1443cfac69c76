using System.Runtime;
using PaletteCluster.Training.Runtime;

namespace PaletteCluster.Training.Tests;

/// <summary>A span's reserve: room in the region for what another thread (the batch prefetcher) allocates during a step.</summary>
public class GcQuietSpanReserveTests
{
    private const long Budget = 16L << 20;
    private const long Reserve = 16L << 20;
    private const long UsedBeforeBoundary = 7L << 20; // leaves 9 MB: more than the 8 MB step margin, less than the reserve

    [Fact]
    public void AnotherThreadsAllocationsWithinTheReserveDoNotEndTheRegion()
    {
        using var span = new GcQuietSpan(Budget, renewEverySteps: 1000);
        span.BeforeStep();
        AllocateSmallObjects(UsedBeforeBoundary);

        Assert.True(span.BeforeStep(Reserve)); // renews: 9 MB left cannot absorb reserve + margin
        Assert.True(span.RemainingBytes >= Reserve + span.StepMarginBytes);
        int collections = GC.CollectionCount(0);
        RunOnAnotherThread(() => AllocateSmallObjects(Reserve));

        Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        Assert.Equal(collections, GC.CollectionCount(0));
    }

    [Fact]
    public void WithoutTheReserveTheSameAllocationsEndTheRegion()
    {
        // The control: the same pattern, with the boundary checking only the step margin (the span before reserves).
        using var span = new GcQuietSpan(Budget, renewEverySteps: 1000);
        span.BeforeStep();
        AllocateSmallObjects(UsedBeforeBoundary);

        Assert.True(span.BeforeStep()); // no renewal: 9 MB left is enough for the step alone
        Assert.True(span.RemainingBytes < Reserve);
        RunOnAnotherThread(() => AllocateSmallObjects(Reserve));

        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode); // the budget ran out: collections could start mid-step
    }

    [Fact]
    public void BudgetGrowsWithTheReserveUpToTheCap()
    {
        using var span = new GcQuietSpan(Budget);
        Assert.Equal(Budget, span.BudgetFor(0));
        Assert.Equal(Budget, span.BudgetFor(4L << 20)); // 8 + 2 x 4 MB fits the base budget
        Assert.Equal((8L << 20) + 2 * (40L << 20), span.BudgetFor(40L << 20));
        Assert.True(span.CanHold(120L << 20)); // 8 + 240 MB
        Assert.False(span.CanHold(125L << 20)); // 8 + 250 MB > 256 MB
    }

    [Fact]
    public void ReserveBeyondWhatTheRegionHoldsIsReported()
    {
        using var span = new GcQuietSpan(Budget);
        Assert.False(span.BeforeStep(300L << 20)); // needs 300 MB + the margin: the region started (at most 256 MB) cannot vouch for it
        Assert.True(span.BeforeStep()); // what it holds is still enough for the step alone
    }

    [Fact]
    public void AnEnclosingZoneCannotVouchForAReserve()
    {
        using var zone = GcQuietZone.Enter();
        using var span = new GcQuietSpan(Budget);
        Assert.True(span.BeforeStep());
        Assert.False(span.BeforeStep(1L << 20));
    }

    /// <summary>Small-object-heap arrays, like decode buffers and tensor wrappers (the budget is counted per heap).</summary>
    private static void AllocateSmallObjects(long bytes)
    {
        for (long done = 0; done < bytes; done += 32 * 1024) GC.KeepAlive(new byte[32 * 1024]);
    }

    private static void RunOnAnotherThread(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        thread.Join();
    }
}
