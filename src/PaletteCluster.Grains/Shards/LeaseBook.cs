using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Shards;

/// <summary>
/// The rules of one shard's exclusive lease, kept in a <see cref="ShardLeaseState"/>: a valid lease belongs to
/// its holder alone; the same holder renews it; once expired anyone may take it. Methods that can change the
/// state say whether they did, so the caller knows when to persist.
/// </summary>
public sealed class LeaseBook
{
    private readonly ShardLeaseState _state;
    private readonly TimeProvider _time;

    public LeaseBook(ShardLeaseState state, TimeProvider time)
    {
        _state = state;
        _time = time;
    }

    /// <summary>The holder of a still-valid lease, or null.</summary>
    public string? ValidHolder => _state.Holder is not null && _time.GetUtcNow() < _state.ExpiresAt ? _state.Holder : null;

    public ShardLease Acquire(string holder, TimeSpan duration, out bool changed)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var current = ValidHolder;
        if (current is not null && current != holder)
        {
            changed = false;
            return new ShardLease(false, current, _state.ExpiresAt);
        }
        _state.Holder = holder;
        _state.ExpiresAt = _time.GetUtcNow() + duration;
        changed = true;
        return View();
    }

    /// <summary>Ends the lease if this holder has it (valid or not); anyone else's release is ignored.</summary>
    public bool Release(string holder)
    {
        if (_state.Holder != holder) return false;
        _state.Holder = null;
        _state.ExpiresAt = _time.GetUtcNow();
        return true;
    }

    /// <summary>Granted means a valid lease is held (by Holder); after expiry Holder is null.</summary>
    public ShardLease View()
    {
        var holder = ValidHolder;
        return new ShardLease(holder is not null, holder, _state.ExpiresAt);
    }
}
