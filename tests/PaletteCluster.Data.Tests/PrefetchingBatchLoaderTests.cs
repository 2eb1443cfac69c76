using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tests;

public class PrefetchingBatchLoaderTests
{
    private static ImageFolder Folder(TempDir dir, int count)
    {
        for (int i = 0; i < count; i++) ImageCodec.SavePng(Samples.Synthetic(40, 30, i), dir.File($"img{i}.png"));
        return ImageFolder.Scan(dir.Path);
    }

    [Fact]
    public void GivesExactlyTheInnerLoadersBatchesAndPositions()
    {
        using var dir = new TempDir();
        var folder = Folder(dir, 5);
        var direct = new PairBatchLoader(folder, new ColorizationTask(), 2, 16, seed: 3);
        using var prefetch = new PrefetchingBatchLoader(new PairBatchLoader(folder, new ColorizationTask(), 2, 16, seed: 3), depth: 2);
        for (int i = 0; i < 7; i++)
        {
            using var a = direct.Next();
            using var b = prefetch.Next();
            Assert.Equal(a.Position, b.Position);
            Assert.Equal(a.Target.data<float>().ToArray(), b.Target.data<float>().ToArray());
            Assert.Equal(a.Condition.data<float>().ToArray(), b.Condition.data<float>().ToArray());
        }
    }

    [Fact]
    public void KeepsAtMostDepthBatchesAhead()
    {
        using var dir = new TempDir();
        using var prefetch = new PrefetchingBatchLoader(new PairBatchLoader(Folder(dir, 3), new ColorizationTask(), 1, 8, seed: 1), depth: 3);
        prefetch.Next().Dispose();
        // Let the producer run as far as it can; the bound must hold however long we wait.
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (prefetch.Produced < 1 + 3 + 1 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Thread.Sleep(100);
        Assert.InRange(prefetch.Produced, 1, 1 + 3 + 1); // consumed + queued + the one waiting to be queued
    }

    [Fact]
    public void ProducerErrorsReachTheConsumer()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bad.png"), "not an image");
        using var prefetch = new PrefetchingBatchLoader(new PairBatchLoader(ImageFolder.Scan(dir.Path), new ColorizationTask(), 1, 8, seed: 1));
        var e = Assert.Throws<InvalidDataException>(() => prefetch.Next());
        Assert.Contains("could be decoded", e.Message);
    }
    [Fact]
    public void GatedProducerMakesDepthBatchesAheadThenOnePerPermit()
    {
        using var dir = new TempDir();
        using var prefetch = new PrefetchingBatchLoader(new PairBatchLoader(Folder(dir, 3), new ColorizationTask(), 1, 8, seed: 1), depth: 2, gated: true);
        Assert.Equal(2, WaitForProduced(prefetch, 2));
        AssertStaysAt(prefetch, 2); // no permit yet: the initial fill is all it may make

        prefetch.Next().Dispose();
        AssertStaysAt(prefetch, 2); // consuming alone grants nothing (the trainer grants after renewing its region)

        for (int permit = 1; permit <= 3; permit++)
        {
            prefetch.AllowOneMoreBatch();
            Assert.Equal(2 + permit, WaitForProduced(prefetch, 2 + permit));
            AssertStaysAt(prefetch, 2 + permit); // exactly one batch per permit
            prefetch.Next().Dispose();
        }
    }

    [Fact]
    public void StoppingContinuesTheSameStreamOnTheCallersThread()
    {
        using var dir = new TempDir();
        var folder = Folder(dir, 5);
        var direct = new PairBatchLoader(folder, new ColorizationTask(), 2, 16, seed: 3);
        using var prefetch = new PrefetchingBatchLoader(new PairBatchLoader(folder, new ColorizationTask(), 2, 16, seed: 3), depth: 3, gated: true);
        for (int i = 0; i < 8; i++)
        {
            if (i == 2)
            {
                prefetch.StopPrefetching(); // what the producer made (up to batch 4) comes first, the rest is made here
                Assert.False(prefetch.IsPrefetching);
            }
            using var a = direct.Next();
            using var b = prefetch.Next();
            Assert.Equal(a.Position, b.Position);
            Assert.Equal(a.Target.data<float>().ToArray(), b.Target.data<float>().ToArray());
            if (prefetch.IsPrefetching) prefetch.AllowOneMoreBatch();
        }
        prefetch.AllowOneMoreBatch(); // ignored once stopped
    }

    [Fact]
    public void MeasuresTheMostOneBatchAllocated()
    {
        using var dir = new TempDir();
        const int batch = 4, size = 32;
        using var prefetch = new PrefetchingBatchLoader(new PairBatchLoader(Folder(dir, 3), new ColorizationTask(), batch, size, seed: 1), depth: 1);
        prefetch.Next().Dispose();
        long arrays = 2L * batch * 3 * size * size * sizeof(float); // condition and target, before they become tensors
        Assert.InRange(prefetch.MaxBatchAllocationBytes, arrays, 64L << 20);
    }

    private static long WaitForProduced(PrefetchingBatchLoader prefetch, long count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (prefetch.Produced < count && DateTime.UtcNow < deadline) Thread.Sleep(10);
        return prefetch.Produced;
    }

    private static void AssertStaysAt(PrefetchingBatchLoader prefetch, long count)
    {
        Thread.Sleep(200);
        Assert.Equal(count, prefetch.Produced);
    }
}
