using System.Text.Json;
using Microsoft.Extensions.Logging;
using PaletteCluster.Storage;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// Copies a complete local shard folder into a blob store so that readers only ever see a complete set:
/// every shard first (each upload is atomic in every <see cref="IBlobStore"/>), then report.json, then manifest.json
/// last. A different manifest already in the store is deleted before any shard changes, so no reader pairs an old
/// manifest with new shards. Shards the store already holds with the manifest's size and SHA-256 are not uploaded
/// again, which makes re-runs and resumed uploads cheap.
/// </summary>
public sealed class ShardSetPublisher(IBlobStore store, ILogger logger)
{
    /// <exception cref="ShardIntegrityException">the local folder is not a complete build, or a local shard's bytes no longer match its manifest.</exception>
    /// <exception cref="BlobStoreException">the store failed (after the store's own retries).</exception>
    public async Task<ShardPublishResult> PublishAsync(string localFolder, IProgress<ShardTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        string folder = Path.GetFullPath(localFolder);
        var local = ShardReader.Open(folder); // a complete build: manifest parses, every shard present with its size
        byte[] manifestBytes = await File.ReadAllBytesAsync(Path.Combine(folder, ShardFormat.ManifestFileName), cancellationToken);
        byte[]? reportBytes = ReportForStore(folder);
        var shards = local.Manifest.Shards;
        foreach (var s in shards)
            if (!ShardStoreFiles.IsShardFileName(s.File))
                throw new ShardIntegrityException(s.File, $"{folder}: not a shard file name this tool publishes");

        byte[]? published = await ShardStoreFiles.TryReadAsync(store, ShardFormat.ManifestFileName, cancellationToken);
        bool sameManifest = published is not null && published.AsSpan().SequenceEqual(manifestBytes);
        // What the store's current manifest says about its shards: trusted like a local manifest (blob writes are
        // atomic, and this publisher removes a manifest before it replaces any shard it names).
        var claimed = (published is null ? null : ShardStoreFiles.TryParseManifest(published))?.Shards
            .ToDictionary(s => s.File, StringComparer.Ordinal) ?? new Dictionary<string, ShardFileInfo>(StringComparer.Ordinal);
        var present = (await store.ListAsync(ShardStoreFiles.ShardPrefix, cancellationToken))
            .ToDictionary(b => b.Name, b => b.Size, StringComparer.Ordinal);

        var missing = new List<ShardFileInfo>();
        foreach (var s in shards)
            if (!await IsInStoreAsync(s, present, claimed, cancellationToken))
                missing.Add(s);

        long bytesTotal = shards.Sum(s => s.Bytes);
        long bytesDone = bytesTotal - missing.Sum(s => s.Bytes);
        int shardsDone = shards.Count - missing.Count;
        progress?.Report(new ShardTransferProgress(shardsDone, shards.Count, bytesDone, bytesTotal, null));

        if (sameManifest && missing.Count == 0)
        {
            await UploadReportIfChangedAsync(reportBytes, cancellationToken);
            logger.LogInformation("{Store} already holds this shard set ({Shards} shards); nothing uploaded", store.Description, shards.Count);
            return new ShardPublishResult(store.Description, 0, shards.Count, 0, ManifestWritten: false, StaleShardsRemoved: 0);
        }

        if (published is not null)
        {
            // Before any shard changes: from here until the new manifest lands, the store holds no manifest at all.
            await store.DeleteAsync(ShardFormat.ManifestFileName, cancellationToken);
            logger.LogInformation("Removed the previous manifest from {Store} before replacing its shards", store.Description);
        }

        long uploaded = 0;
        foreach (var s in missing)
        {
            long before = bytesDone;
            int done = shardsDone;
            await UploadShardAsync(folder, s, position => progress?.Report(
                new ShardTransferProgress(done, shards.Count, before + position, bytesTotal, s.File)), cancellationToken);
            bytesDone += s.Bytes;
            shardsDone++;
            uploaded += s.Bytes;
            progress?.Report(new ShardTransferProgress(shardsDone, shards.Count, bytesDone, bytesTotal, s.File));
        }

        await UploadReportIfChangedAsync(reportBytes, cancellationToken);
        // Last: its presence is what marks the set complete in the store, as in a local folder.
        using (var manifest = new MemoryStream(manifestBytes, writable: false))
            await store.UploadAsync(ShardFormat.ManifestFileName, manifest, cancellationToken);
        int removed = await RemoveStaleShardsAsync(shards, present.Keys, cancellationToken);

        logger.LogInformation("Published {Records} records in {Shards} shards to {Store}: uploaded {Uploaded} ({Bytes} bytes), {Kept} already there",
            local.Manifest.TotalRecords, shards.Count, store.Description, missing.Count, uploaded, shards.Count - missing.Count);
        return new ShardPublishResult(store.Description, missing.Count, shards.Count - missing.Count, uploaded, ManifestWritten: true, removed);
    }

    /// <summary>
    /// True when the store holds the shard with the manifest's size and hash: taken from the store's manifest when it
    /// lists the same size and hash, otherwise found by hashing the blob (a resumed upload, after its manifest was removed).
    /// </summary>
    private async Task<bool> IsInStoreAsync(ShardFileInfo shard, IReadOnlyDictionary<string, long> present,
        IReadOnlyDictionary<string, ShardFileInfo> claimed, CancellationToken ct)
    {
        if (!present.TryGetValue(shard.File, out long size) || size != shard.Bytes) return false;
        if (claimed.TryGetValue(shard.File, out var listed) && listed.Bytes == shard.Bytes && listed.Sha256 == shard.Sha256) return true;
        bool same = await ShardStoreFiles.HashAsync(store, shard.File, ct) == shard.Sha256;
        logger.LogInformation("{Shard} in {Store} has the right size; its hash {Verdict}", shard.File, store.Description,
            same ? "matches, not uploading it again" : "differs, uploading it again");
        return same;
    }

    private async Task UploadShardAsync(string folder, ShardFileInfo shard, Action<long> onPosition, CancellationToken ct)
    {
        string path = Path.Combine(folder, shard.File);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        await using var content = new HashingReadStream(file, onPosition);
        await store.UploadAsync(shard.File, content, ct);
        string hash = content.HashHex();
        if (hash == shard.Sha256 && content.Position == shard.Bytes) return;
        // The local copy changed after it was built. No manifest names the blob yet, so removing it keeps the store consistent.
        await store.DeleteAsync(shard.File, ct);
        throw new ShardIntegrityException(shard.File,
            $"local copy {path} has SHA-256 {hash} ({content.Position} bytes) but its manifest says {shard.Sha256} ({shard.Bytes} bytes); rebuild it with --force");
    }

    private async Task UploadReportIfChangedAsync(byte[]? reportBytes, CancellationToken ct)
    {
        if (reportBytes is null) return;
        var existing = await ShardStoreFiles.TryReadAsync(store, ShardFormat.ReportFileName, ct);
        if (existing is not null && existing.AsSpan().SequenceEqual(reportBytes)) return;
        using var content = new MemoryStream(reportBytes, writable: false);
        await store.UploadAsync(ShardFormat.ReportFileName, content, ct);
    }

    /// <summary>The local report.json with the store as its output (the staging folder means nothing to a reader); null if absent or unreadable.</summary>
    private byte[]? ReportForStore(string folder)
    {
        string path = Path.Combine(folder, ShardFormat.ReportFileName);
        if (!File.Exists(path)) return null;
        try
        {
            var report = JsonSerializer.Deserialize<ShardBuildReport>(File.ReadAllBytes(path), ShardFormat.Json);
            return report is null ? null
                : JsonSerializer.SerializeToUtf8Bytes(report with { OutputFolder = store.Description }, ShardFormat.Json);
        }
        catch (JsonException e)
        {
            logger.LogWarning("Not publishing {Path}: unreadable ({Message})", path, e.Message);
            return null;
        }
    }

    /// <summary>Deletes shard blobs of an older build that the new manifest no longer names (only after that manifest is in place).</summary>
    private async Task<int> RemoveStaleShardsAsync(IReadOnlyList<ShardFileInfo> shards, IEnumerable<string> present, CancellationToken ct)
    {
        var named = shards.Select(s => s.File).ToHashSet(StringComparer.Ordinal);
        int removed = 0;
        foreach (var name in present.Where(n => ShardStoreFiles.IsShardFileName(n) && !named.Contains(n)))
        {
            if (await store.DeleteAsync(name, ct)) removed++;
            logger.LogInformation("Removed stale {Shard} from {Store}", name, store.Description);
        }
        return removed;
    }
}
