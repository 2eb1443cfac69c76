namespace PaletteCluster.Abstractions;

/// <summary>
/// The answer to a lease request on a data shard. Granted: the caller holds the shard until ExpiresAt unless it
/// renews. Not granted: Holder holds it until ExpiresAt. (Id 3 once held a read position; do not reuse it.)
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ShardLease(
    [property: Id(0)] bool Granted,
    [property: Id(1)] string? Holder,
    [property: Id(2)] DateTimeOffset ExpiresAt);
