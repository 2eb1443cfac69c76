namespace PaletteCluster.Data.Shards;

/// <summary>What <see cref="ShardSetPublisher.PublishAsync"/> did in <see cref="Store"/>.</summary>
/// <param name="ShardsUploaded">Shards written in this run.</param>
/// <param name="ShardsAlreadyThere">Shards skipped because the store already held them with the manifest's size and SHA-256.</param>
/// <param name="BytesUploaded">Bytes of the uploaded shards.</param>
/// <param name="ManifestWritten">False when the store already held this exact manifest and every shard: nothing changed.</param>
/// <param name="StaleShardsRemoved">Shard blobs of an older, larger build that the new manifest no longer names.</param>
public sealed record ShardPublishResult(string Store, int ShardsUploaded, int ShardsAlreadyThere, long BytesUploaded,
    bool ManifestWritten, int StaleShardsRemoved);
