using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PaletteCluster.Data.Shards;
using PaletteCluster.Storage;

namespace PaletteCluster.Data.Tests.Shards;

/// <summary>
/// Shard sets built into a blob store and read back through a local cache. Run against the file system store
/// (<see cref="FileSystemShardStoreTests"/>) and a real Azurite (<see cref="AzuriteShardStoreTests"/>).
/// </summary>
public abstract class ShardStoreTests : IDisposable
{
    protected TempDir Dir { get; } = new();
    protected ListLogger Logger { get; } = new();

    /// <summary>A fresh, empty store.</summary>
    protected abstract IBlobStore CreateStore();

    /// <summary>Something that changes whenever a blob is rewritten (ETag on Azure, write time and inode on disk).</summary>
    protected abstract Task<string> VersionOfAsync(IBlobStore store, string name);

    public void Dispose() => Dir.Dispose();

    /// <summary>Eight small images in 'in' plus two bad files; shards of about 4 KiB, so the set spans several shards.</summary>
    private ShardBuildOptions WriteInputs(string staging = "staging")
    {
        ShardTestSupport.WriteGoodImages(Dir, count: 8);
        File.WriteAllBytes(Dir.File("in/bad/empty.jpg"), []);
        File.WriteAllText(Dir.File("in/bad/notes.png"), "not an image");
        return ShardTestSupport.Options(Dir, output: staging) with { TargetShardBytes = 4096, Logger = Logger };
    }

    private async Task<ShardStoreBuildResult> BuildAsync(IBlobStore store, ShardBuildOptions options, IProgress<ShardTransferProgress>? progress = null) =>
        await new ShardStoreBuilder(store, Logger).BuildAsync(options, progress);

    private static async Task<byte[]> ReadAsync(IBlobStore store, string name)
    {
        await using var stream = await store.OpenReadAsync(name);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<ShardManifest> ManifestAsync(IBlobStore store) =>
        JsonSerializer.Deserialize<ShardManifest>(await ReadAsync(store, ShardFormat.ManifestFileName),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    [Fact]
    public async Task Build_publishes_every_shard_with_the_manifests_hash_the_report_and_the_manifest()
    {
        var store = CreateStore();
        var progress = new CollectingProgress<ShardTransferProgress>();

        var result = await BuildAsync(store, WriteInputs(), progress);

        Assert.False(result.Report.UpToDate);
        Assert.Equal(store.Description, result.Report.OutputFolder);
        var publish = Assert.IsType<ShardPublishResult>(result.Publish);
        var manifest = await ManifestAsync(store);
        Assert.True(manifest.Shards.Count >= 3, $"expected several shards, got {manifest.Shards.Count}");
        Assert.Equal(8, manifest.TotalRecords);
        Assert.Equal((manifest.Shards.Count, 0, true), (publish.ShardsUploaded, publish.ShardsAlreadyThere, publish.ManifestWritten));
        foreach (var shard in manifest.Shards)
        {
            var bytes = await ReadAsync(store, shard.File);
            Assert.Equal(shard.Bytes, bytes.Length);
            Assert.Equal(shard.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
        Assert.Equal(manifest.Shards.Select(s => s.File).Order(StringComparer.Ordinal),
            (await store.ListAsync("shard-")).Select(b => b.Name));

        using var report = JsonDocument.Parse(await ReadAsync(store, ShardFormat.ReportFileName));
        Assert.Equal(2, report.RootElement.GetProperty("skippedCount").GetInt32());
        Assert.Equal(store.Description, report.RootElement.GetProperty("outputFolder").GetString());
        Assert.Equal(["bad/empty.jpg", "bad/notes.png"],
            report.RootElement.GetProperty("issues").EnumerateArray().Select(i => i.GetProperty("source").GetString()));

        var last = progress.Reports[^1];
        Assert.Equal((manifest.Shards.Count, manifest.Shards.Count), (last.ShardsDone, last.ShardsTotal));
        Assert.Equal(manifest.Shards.Sum(s => s.Bytes), last.BytesDone);
        Assert.Equal(last.BytesTotal, last.BytesDone);
    }

    [Fact]
    public async Task A_rerun_uploads_nothing_even_forced_or_from_a_fresh_staging_folder()
    {
        var store = CreateStore();
        var options = WriteInputs();
        await BuildAsync(store, options);
        var names = (await store.ListAsync("")).Select(b => b.Name).ToList();
        var before = new Dictionary<string, string>();
        foreach (var name in names) before[name] = await VersionOfAsync(store, name);

        var again = await BuildAsync(store, options);
        Assert.True(again.Report.UpToDate);
        Assert.Null(again.Publish);
        Assert.Equal(2, again.Report.SkippedCount); // the issue list comes from the store's report

        // Forced: the local build runs again, gives byte-identical shards, and the store already holds them.
        var forced = await BuildAsync(store, options with { Force = true });
        Assert.Equal((0, false), (forced.Publish!.ShardsUploaded, forced.Publish.ManifestWritten));

        // A machine without the staging folder learns from the store's manifest that nothing needs building.
        var fresh = await BuildAsync(store, options with { OutputFolder = Path.Combine(Dir.Path, "other-staging") });
        Assert.True(fresh.Report.UpToDate);
        Assert.False(Directory.Exists(Path.Combine(Dir.Path, "other-staging")));

        foreach (var name in names) Assert.Equal(before[name], await VersionOfAsync(store, name));
        Assert.Equal(names, (await store.ListAsync("")).Select(b => b.Name));
    }

    [Fact]
    public async Task An_interrupted_upload_resumes_keeping_the_shards_already_there()
    {
        var store = CreateStore();
        var options = WriteInputs();
        await BuildAsync(store, options);
        // As if the first run stopped after its shards, before the manifest: the store holds no manifest to trust.
        await store.DeleteAsync(ShardFormat.ManifestFileName);
        var firstShard = (await ManifestFromStagingAsync(options)).Shards[0].File;
        var version = await VersionOfAsync(store, firstShard);

        var resumed = await new ShardSetPublisher(store, Logger).PublishAsync(options.OutputFolder);

        Assert.Equal(0, resumed.ShardsUploaded);
        Assert.True(resumed.ManifestWritten);
        Assert.Equal(version, await VersionOfAsync(store, firstShard));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(options.OutputFolder, ShardFormat.ManifestFileName)),
            await ReadAsync(store, ShardFormat.ManifestFileName));
    }

    [Fact]
    public async Task A_smaller_rebuild_replaces_the_set_and_removes_stale_shards()
    {
        var store = CreateStore();
        var options = WriteInputs();
        await BuildAsync(store, options);
        int before = (await ManifestAsync(store)).Shards.Count;

        var bigger = await BuildAsync(store, options with { TargetShardBytes = 1 << 20 });

        var manifest = await ManifestAsync(store);
        Assert.Single(manifest.Shards);
        Assert.Equal(before - 1, bigger.Publish!.StaleShardsRemoved);
        Assert.Equal(["shard-000000.tar"], (await store.ListAsync("shard-")).Select(b => b.Name));
        var cache = await new ShardSetDownloader(store, Logger).DownloadAsync(Path.Combine(Dir.Path, "cache"));
        Assert.Equal(8, ShardReader.Open(cache, verifyShardHashes: true).ReadAll().Count());
    }

    [Fact]
    public async Task Reading_through_the_store_gives_the_records_of_the_local_build()
    {
        var store = CreateStore();
        var options = WriteInputs();
        await BuildAsync(store, options);
        ShardBuilder.Build(options with { OutputFolder = Path.Combine(Dir.Path, "local") });

        var cache = Path.Combine(Dir.Path, "cache");
        var progress = new CollectingProgress<ShardTransferProgress>();
        var folder = await new ShardSetDownloader(store, Logger).DownloadAsync(cache, progress);

        var local = ShardReader.Open(Path.Combine(Dir.Path, "local"), verifyShardHashes: true).ReadAll().ToList();
        var remote = ShardReader.Open(folder, verifyShardHashes: true).ReadAll().ToList();
        Assert.Equal(local.Select(r => r.Key), remote.Select(r => r.Key));
        for (int i = 0; i < local.Count; i++) Assert.Equal(local[i].ImageBytes, remote[i].ImageBytes);
        Assert.Equal(progress.Reports[^1].BytesTotal, progress.Reports[^1].BytesDone);

        // A second open reuses the verified cache; the training source sees the same images.
        var source = await ShardImageSource.OpenFromStoreAsync(store, cache, Logger);
        Assert.Equal(local.Count, source.Count);
        Assert.Equal(local[3].Metadata.Source, source.NameOf(3));
        Assert.Contains(Logger.Entries, e => e.Message.Contains("0 downloaded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_corrupted_shard_blob_is_refused_naming_the_shard_and_the_store()
    {
        var store = CreateStore();
        var options = WriteInputs();
        await BuildAsync(store, options);
        var shard = (await ManifestAsync(store)).Shards[1].File;
        var bytes = await ReadAsync(store, shard);
        bytes[bytes.Length / 2] ^= 0x40; // same size: only the hash can tell
        await store.UploadAsync(shard, new MemoryStream(bytes));

        var cache = Path.Combine(Dir.Path, "cache");
        var e = await Assert.ThrowsAsync<ShardIntegrityException>(() => new ShardSetDownloader(store, Logger).DownloadAsync(cache));

        Assert.Equal(shard, e.File);
        Assert.Contains(shard, e.Message);
        Assert.Contains(store.Description, e.Message);
        Assert.Contains("SHA-256", e.Message);
        Assert.False(File.Exists(Path.Combine(cache, shard)), "the bad copy must not stay in the cache");
        Assert.False(File.Exists(Path.Combine(cache, ShardFormat.ManifestFileName)), "an incomplete cache must not look complete");
    }

    [Fact]
    public async Task A_missing_shard_or_manifest_is_refused_naming_it_and_the_store()
    {
        var store = CreateStore();
        var empty = await Assert.ThrowsAsync<ShardIntegrityException>(
            () => new ShardSetDownloader(store, Logger).DownloadAsync(Path.Combine(Dir.Path, "cache0")));
        Assert.Equal(ShardFormat.ManifestFileName, empty.File);
        Assert.Contains(store.Description, empty.Message);

        await BuildAsync(store, WriteInputs());
        var shard = (await ManifestAsync(store)).Shards[^1].File;
        await store.DeleteAsync(shard);
        var e = await Assert.ThrowsAsync<ShardIntegrityException>(
            () => new ShardSetDownloader(store, Logger).DownloadAsync(Path.Combine(Dir.Path, "cache")));
        Assert.Equal(shard, e.File);
        Assert.Contains("missing", e.Message);
        Assert.Contains(store.Description, e.Message);
    }

    [Fact]
    public async Task A_damaged_staging_copy_is_never_published()
    {
        var store = CreateStore();
        var options = WriteInputs();
        ShardBuilder.Build(options);
        var shard = (await ManifestFromStagingAsync(options)).Shards[0].File;
        var path = Path.Combine(options.OutputFolder, shard);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[100] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var e = await Assert.ThrowsAsync<ShardIntegrityException>(() => new ShardSetPublisher(store, Logger).PublishAsync(options.OutputFolder));

        Assert.Equal(shard, e.File);
        Assert.False(await store.ExistsAsync(shard));
        Assert.False(await store.ExistsAsync(ShardFormat.ManifestFileName));
    }

    private static async Task<ShardManifest> ManifestFromStagingAsync(ShardBuildOptions options) =>
        JsonSerializer.Deserialize<ShardManifest>(
            await File.ReadAllBytesAsync(Path.Combine(options.OutputFolder, ShardFormat.ManifestFileName)),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
}
