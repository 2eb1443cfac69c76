using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Shards;

/// <summary>One data shard of one job ("{jobId}/{shard}"): its lease, persisted on every change.</summary>
public sealed class DataShardGrain : Grain, IDataShardGrain
{
    private readonly IPersistentState<ShardLeaseState> _state;
    private readonly TimeProvider _time;
    private readonly ILogger<DataShardGrain> _logger;
    private LeaseBook _leases = null!;

    public DataShardGrain(
        [PersistentState("shard", PaletteStorage.Name)] IPersistentState<ShardLeaseState> state,
        TimeProvider time,
        ILogger<DataShardGrain> logger)
    {
        _state = state;
        _time = time;
        _logger = logger;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _leases = new LeaseBook(_state.State, _time);
        return Task.CompletedTask;
    }

    public async Task<ShardLease> Acquire(string holder, TimeSpan duration)
    {
        var lease = _leases.Acquire(holder, duration, out var changed);
        // The lease itself is persisted: after a deactivation another holder must still be refused.
        if (changed) await _state.WriteStateAsync();
        if (!lease.Granted)
            _logger.LogDebug("Shard {Shard}: {Holder} refused, held by {Current} until {Until}",
                this.GetPrimaryKeyString(), holder, lease.Holder, lease.ExpiresAt);
        return lease;
    }

    public async Task Release(string holder)
    {
        if (_leases.Release(holder)) await _state.WriteStateAsync();
    }

    public Task<ShardLease> GetLease() => Task.FromResult(_leases.View());
}
