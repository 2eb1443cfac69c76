namespace PaletteCluster.Data.Shards;

/// <summary>One record read back from a shard: global index, key, the original encoded image bytes and its sidecar.</summary>
/// <param name="Extension">".jpg" or ".png", as stored in the tar.</param>
public sealed record ShardRecord(long Index, string Key, string Shard, string Extension, byte[] ImageBytes, ShardRecordMetadata Metadata);
