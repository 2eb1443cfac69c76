namespace PaletteCluster.Grains.Shards;

/// <summary>
/// A data shard's persisted lease. A lease is valid while now &lt; ExpiresAt. States stored before the read position
/// moved into the checkpoint manifest also hold Position; the state serializer skips it on load.
/// </summary>
[GenerateSerializer, Alias("palette.ShardLeaseState")]
public sealed class ShardLeaseState
{
    [Id(0)] public string? Holder { get; set; }
    [Id(1)] public DateTimeOffset ExpiresAt { get; set; }
}
