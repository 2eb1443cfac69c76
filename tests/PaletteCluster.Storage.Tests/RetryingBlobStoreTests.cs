using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaletteCluster.Testing;

namespace PaletteCluster.Storage.Tests;

/// <summary>
/// Outages of a real Azurite: each test has its own server, because it takes it down. Delays are short so the
/// class runs in seconds.
/// </summary>
public sealed class RetryingBlobStoreTests(ITestOutputHelper output) : IDisposable
{
    private readonly AzuriteServer _server = new();
    private readonly TestLogger _logger = new(output);

    private RetryingBlobStore NewStore(TimeSpan giveUpAfter, int blockSize = 1 << 20) =>
        new(new AzureBlobStore(new AzureBlobStoreOptions
            {
                ConnectionString = _server.ConnectionString,
                Container = "retry",
                BlockSize = blockSize,
                RequestTimeout = TimeSpan.FromSeconds(5),
            }, _logger),
            new BlobRetryOptions { FirstDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(1), GiveUpAfter = giveUpAfter },
            _logger);

    [Fact]
    public async Task An_upload_interrupted_by_an_outage_completes_once_the_server_is_back()
    {
        var store = NewStore(giveUpAfter: TimeSpan.FromSeconds(30));
        await store.WriteTextAsync("jobs/a/checkpoints/latest", "step-00000001"); // before the outage
        var data = TestData.Random(6 << 20, seed: 11);
        Task? restart = null;
        // After two 1 MiB blocks went up, the server dies; it comes back 2 s later.
        var stream = new TriggerStream(data, 2 << 20, () =>
        {
            _server.Stop();
            restart = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                _server.Start();
            });
        });

        var clock = Stopwatch.StartNew();
        await store.UploadAsync("jobs/a/checkpoints/step-00000002/model.safetensors", stream);
        clock.Stop();
        await restart!;

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"finished in {clock.Elapsed} while the server was down");
        var retries = _logger.At(LogLevel.Warning);
        Assert.NotEmpty(retries);
        Assert.All(retries, m => Assert.Contains("step-00000002/model.safetensors", m));
        Assert.Equal(data, await TestData.ReadAllAsync(store, "jobs/a/checkpoints/step-00000002/model.safetensors"));
        Assert.Equal("step-00000001", await store.ReadTextAsync("jobs/a/checkpoints/latest")); // blobs survived the restart
    }

    [Fact]
    public async Task A_server_that_stays_down_gives_BlobStoreUnavailableException_after_GiveUpAfter()
    {
        var store = NewStore(giveUpAfter: TimeSpan.FromSeconds(3));
        await store.WriteTextAsync("jobs/a/checkpoints/latest", "step-00000001");
        _server.Stop();

        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => store.ReadTextAsync("jobs/a/checkpoints/latest"));
        clock.Stop();

        // It gives up when the next wait would pass the limit: between GiveUpAfter - MaxDelay and a little past GiveUpAfter.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));
        Assert.Contains("jobs/a/checkpoints/latest", ex.Message);
        Assert.Contains(store.Description, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.True(Assert.IsAssignableFrom<BlobStoreException>(ex.InnerException).IsTransient);
        Assert.True(_logger.At(LogLevel.Warning).Count >= 2, "each retry is logged");
    }

    [Fact]
    public async Task Missing_blobs_are_not_retried()
    {
        var store = NewStore(giveUpAfter: TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<BlobNotFoundException>(() => store.ReadTextAsync("jobs/none"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.Empty(_logger.At(LogLevel.Warning));
    }

    public void Dispose() => _server.Dispose();
}
