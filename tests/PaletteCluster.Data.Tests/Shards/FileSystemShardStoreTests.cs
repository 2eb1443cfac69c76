using PaletteCluster.Storage;

namespace PaletteCluster.Data.Tests.Shards;

/// <summary>The shard store round trip on <see cref="FileSystemBlobStore"/>: no server needed.</summary>
public sealed class FileSystemShardStoreTests : ShardStoreTests
{
    protected override IBlobStore CreateStore() =>
        new FileSystemBlobStore(new FileSystemBlobStoreOptions { Root = Path.Combine(Dir.Path, $"store-{Guid.NewGuid():N}") }, Logger);

    // Uploads rename a fresh temp file over the blob, so a rewrite always moves the write time.
    protected override Task<string> VersionOfAsync(IBlobStore store, string name)
    {
        var root = store.Description["file system ".Length..];
        var info = new FileInfo(Path.Combine(root, name));
        return Task.FromResult($"{info.LastWriteTimeUtc.Ticks}/{info.Length}");
    }
}
