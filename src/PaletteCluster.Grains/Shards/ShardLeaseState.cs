namespace PaletteCluster.Grains.Shards;

/// <summary>A data shard's persisted lease and read position. A lease is valid while now &lt; ExpiresAt.</summary>
[GenerateSerializer, Alias("palette.ShardLeaseState")]
public sealed class ShardLeaseState
{
    [Id(0)] public string? Holder { get; set; }
    [Id(1)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(2)] public long Position { get; set; }
}
