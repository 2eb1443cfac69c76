using System.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.Data;
using PaletteCluster.Testing;
using PaletteCluster.Training.Runtime;
using Xunit.Abstractions;

namespace PaletteCluster.Training.Tests;

/// <summary>Prefetching inside GC-quiet regions: the producer's allocations never end a region during a step.</summary>
public class QuietBatchFeedTests(ITestOutputHelper output)
{
    private static PairBatchLoader RealPhotoLoader(int size, int batch, int photos = 6) =>
        new(ImageFolder.Scan(RealPhotos.CopyTo(RealPhotos.NewTempDir("pc-feed"), photos)), new ColorizationTask(), batch, size, seed: 5);

    [Theory]
    [InlineData(32, 8)]
    [InlineData(256, 8)]
    public void MeasuresWhatOneBatchAllocatesOnRealPhotos(int size, int batch)
    {
        using var prefetch = new PrefetchingBatchLoader(RealPhotoLoader(size, batch), depth: 2, gated: true);
        var perBatch = new List<long>();
        long seen = 0;
        for (int i = 0; i < 6; i++)
        {
            prefetch.Next().Dispose();
            prefetch.AllowOneMoreBatch();
            perBatch.Add(prefetch.MaxBatchAllocationBytes - seen); // growth of the running maximum
            seen = prefetch.MaxBatchAllocationBytes;
        }
        long arrays = 2L * batch * 3 * size * size * sizeof(float);
        output.WriteLine($"{size} px batch {batch}: max batch allocation {seen / 1e6:F2} MB (condition+target arrays {arrays / 1e6:F2} MB); " +
                         $"reserve at depth 2 = {2 * 2 * seen / 1e6:F1} MB; growth of the maximum per batch: {string.Join(", ", perBatch.Select(b => $"{b / 1e6:F2}"))} MB");
        Assert.True(seen >= arrays, $"max {seen} below the batch arrays {arrays}");
    }

    [Theory]
    [InlineData(32, 8)]
    [InlineData(128, 4)]
    public void RegionHoldsThroughEveryStepWhileTheProducerWorks(int size, int batch)
    {
        using var feed = new QuietBatchFeed(RealPhotoLoader(size, batch, photos: 4), prefetchDepth: 2, NullLogger.Instance);
        var direct = RealPhotoLoader(size, batch, photos: 4);
        using var quiet = new GcQuietSpan();
        for (int step = 0; step < 10; step++)
        {
            using var batch_ = feed.Next();
            feed.BeforeStep(quiet);
            int collections = GC.CollectionCount(0);
            Thread.Sleep(60); // the "step": the producer makes the next batch meanwhile
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            Assert.Equal(collections, GC.CollectionCount(0));
            Assert.Equal(2, feed.PrefetchDepth);
            using var expected = direct.Next();
            Assert.Equal(expected.Position, batch_.Position);
        }
        output.WriteLine($"{size} px batch {batch}: reserve {feed.ReserveBytes / 1e6:F1} MB, region budget {quiet.BudgetFor(feed.ReserveBytes) / 1e6:F1} MB");
    }

    [Fact]
    public void FallsBackToBatchesInLineInTheSameOrderWhenTheRegionCannotHoldTheReserve()
    {
        var logger = new WarningCollector();
        using var enclosing = GcQuietZone.Enter(); // a region that is not the span's: it cannot vouch for a reserve
        using var feed = new QuietBatchFeed(RealPhotoLoader(32, 4, photos: 5), prefetchDepth: 2, logger);
        var direct = RealPhotoLoader(32, 4, photos: 5);
        using var quiet = new GcQuietSpan();
        for (int step = 0; step < 5; step++)
        {
            using var batch = feed.Next();
            feed.BeforeStep(quiet);
            Assert.Equal(0, feed.PrefetchDepth);
            using var expected = direct.Next();
            Assert.Equal(expected.Position, batch.Position);
            Assert.Equal(expected.Target.data<float>().ToArray(), batch.Target.data<float>().ToArray());
        }
        Assert.Single(logger.Warnings);
        Assert.Contains("prefetching turned off", logger.Warnings[0]);
    }

    [Fact]
    public void At256PxBatch8TheReserveIsBeyondTheCapSoBatchesAreMadeInLine()
    {
        var logger = new WarningCollector();
        using var feed = new QuietBatchFeed(RealPhotoLoader(256, 8), prefetchDepth: 2, logger);
        using var quiet = new GcQuietSpan();
        using (feed.Next()) feed.BeforeStep(quiet);
        Assert.True(feed.PrefetchDepth == 0, $"still prefetching with a reserve of {feed.ReserveBytes / 1e6:F0} MB");
        Assert.Contains("prefetching turned off", Assert.Single(logger.Warnings));
        output.WriteLine(logger.Warnings[0]);
        using (feed.Next()) feed.BeforeStep(quiet); // continues in line
        Assert.Equal(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
    }

    [Theory]
    [InlineData(DeviceTypeName.Cpu, null, 0)]
    [InlineData(DeviceTypeName.Cuda, null, 2)]
    [InlineData(DeviceTypeName.Cpu, "3", 3)]
    [InlineData(DeviceTypeName.Cuda, "0", 0)]
    [InlineData(DeviceTypeName.Cpu, "x", 0)]
    public void DefaultDepthFollowsTheDeviceUnlessTheEnvironmentSays(DeviceTypeName device, string? env, int expected) =>
        Assert.Equal(expected, PrefetchDepthDefault.For(device == DeviceTypeName.Cuda ? TorchSharp.DeviceType.CUDA : TorchSharp.DeviceType.CPU, env));

    public enum DeviceTypeName { Cpu, Cuda }

    private sealed class WarningCollector : ILogger
    {
        public List<string> Warnings { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning) lock (Warnings) Warnings.Add(formatter(state, exception));
        }
    }
}
