namespace PaletteCluster.Abstractions;

/// <summary>
/// One data shard of one job, keyed "{jobId}/{shard}": an exclusive, expiring lease. A lease held by another
/// worker is refused until it expires or is released. (The read position lives in each checkpoint's manifest.)
/// </summary>
public interface IDataShardGrain : IGrainWithStringKey
{
    /// <summary>Takes (or renews) the lease for this holder unless another holder's lease is still valid.</summary>
    Task<ShardLease> Acquire(string holder, TimeSpan duration);
    /// <summary>Gives the lease up (no-op if the caller does not hold it).</summary>
    Task Release(string holder);
    Task<ShardLease> GetLease();
}
