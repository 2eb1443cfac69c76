namespace PaletteCluster.Data.Shards;

/// <summary>
/// Progress of copying a shard set to or from a blob store, reported as bytes move (uploads) or per shard
/// (downloads). Shards already in place count as done at once.
/// </summary>
public sealed record ShardTransferProgress(int ShardsDone, int ShardsTotal, long BytesDone, long BytesTotal, string? CurrentFile);
