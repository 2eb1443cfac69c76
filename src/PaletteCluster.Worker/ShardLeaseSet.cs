using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Data.Shards;

namespace PaletteCluster.Worker;

/// <summary>
/// The data-shard leases a worker holds for one job: taken before training, renewed in the background, released at
/// the end. A lease still held by a lost worker is waited out, not broken. (The data position is in each checkpoint.)
/// </summary>
public sealed class ShardLeaseSet : IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly string _holder;
    private readonly TimeSpan _duration;
    private readonly ILogger _logger;
    private readonly List<IDataShardGrain> _shards;
    private readonly CancellationTokenSource _stop = new();
    private Task? _renewal;

    private ShardLeaseSet(IGrainFactory grains, string jobId, IReadOnlyList<string> shardNames, string holder, TimeSpan duration, ILogger logger)
    {
        _grains = grains;
        _holder = holder;
        _duration = duration;
        _logger = logger;
        ShardNames = shardNames;
        _shards = shardNames.Select(name => grains.GetGrain<IDataShardGrain>($"{jobId}/{name}")).ToList();
    }

    public IReadOnlyList<string> ShardNames { get; }

    /// <summary>The shards of a data folder: the files listed by its shard manifest, or the folder itself as one shard.</summary>
    public static IReadOnlyList<string> ShardsOf(string dataFolder) =>
        ShardImageSource.IsShardFolder(dataFolder)
            ? ShardReader.Open(dataFolder).Manifest.Shards.Select(s => s.File).ToList()
            : ["images"];

    public static async Task<ShardLeaseSet> Acquire(IGrainFactory grains, string jobId, string dataFolder, string holder,
        TimeSpan duration, ILogger logger, CancellationToken cancel)
    {
        var set = new ShardLeaseSet(grains, jobId, ShardsOf(dataFolder), holder, duration, logger);
        foreach (var (shard, name) in set._shards.Zip(set.ShardNames))
        {
            while (true)
            {
                var lease = await GrainCallRetry.Default.Run(() => shard.Acquire(holder, duration), cancel);
                if (lease.Granted) break;
                var wait = lease.ExpiresAt - DateTimeOffset.UtcNow;
                logger.LogWarning("Shard {Shard} is leased by {Holder} until {Expiry:O}; waiting", name, lease.Holder, lease.ExpiresAt);
                await Task.Delay(wait > TimeSpan.Zero ? wait + TimeSpan.FromMilliseconds(50) : TimeSpan.FromMilliseconds(200), cancel);
            }
        }
        set._renewal = set.RenewLoop();
        return set;
    }

    private async Task RenewLoop()
    {
        using var timer = new PeriodicTimer(_duration / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                foreach (var (shard, name) in _shards.Zip(ShardNames))
                {
                    try
                    {
                        var lease = await shard.Acquire(_holder, _duration);
                        if (!lease.Granted) _logger.LogWarning("Shard {Shard} lease renewal refused: held by {Holder}", name, lease.Holder);
                    }
                    catch (Exception e) when (GrainCallRetry.IsTransient(e))
                    {
                        _logger.LogWarning("Shard {Shard} lease renewal failed ({Error}); retrying at the next tick", name, e.Message);
                    }
                }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_renewal is not null) await _renewal;
        foreach (var shard in _shards)
        {
            try { await GrainCallRetry.Default.Run(() => shard.Release(_holder)); }
            catch (Exception e) when (GrainCallRetry.IsTransient(e)) { _logger.LogWarning("Could not release a shard lease: {Error}", e.Message); }
        }
        _stop.Dispose();
    }
}
