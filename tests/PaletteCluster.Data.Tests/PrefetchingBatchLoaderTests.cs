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
}
