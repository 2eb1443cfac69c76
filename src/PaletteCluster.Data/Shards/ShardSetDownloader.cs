using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using PaletteCluster.Storage;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// Brings a shard set from a blob store into a local cache folder that <see cref="ShardReader"/> and
/// <see cref="ShardImageSource"/> open like any shard folder. Every downloaded shard is checked against the store's
/// manifest (size and SHA-256) before it is kept; the manifest is written into the cache last, so an interrupted
/// download never looks complete and the next one resumes, keeping the shards already verified.
/// </summary>
public sealed class ShardSetDownloader(IBlobStore store, ILogger logger)
{
    /// <summary>Downloads (or re-verifies) the set into <paramref name="cacheFolder"/>; returns the folder's full path.</summary>
    /// <exception cref="ShardIntegrityException">no manifest in the store, or a shard is missing or does not match it; names the shard and the store.</exception>
    /// <exception cref="BlobStoreException">the store failed (unreachable after its retries, missing container, ...).</exception>
    public async Task<string> DownloadAsync(string cacheFolder, IProgress<ShardTransferProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        string folder = Path.GetFullPath(cacheFolder);
        byte[] manifestBytes = await ShardStoreFiles.TryReadAsync(store, ShardFormat.ManifestFileName, cancellationToken)
            ?? throw new ShardIntegrityException(ShardFormat.ManifestFileName,
                $"not found in {store.Description}: no complete shard set there (palette shards build --output writes one)");
        var manifest = ShardStoreFiles.TryParseManifest(manifestBytes)
            ?? throw new ShardIntegrityException(ShardFormat.ManifestFileName, $"in {store.Description} is not a valid shard manifest");
        if (manifest.FormatVersion != ShardFormat.Version)
            throw new ShardIntegrityException(ShardFormat.ManifestFileName,
                $"in {store.Description} has format version {manifest.FormatVersion}; this build reads version {ShardFormat.Version}");
        foreach (var s in manifest.Shards)
            if (!ShardStoreFiles.IsShardFileName(s.File))
                throw new ShardIntegrityException(s.File, $"named by the manifest in {store.Description} is not a plain shard file name");

        Directory.CreateDirectory(folder);
        string cachedManifest = Path.Combine(folder, ShardFormat.ManifestFileName);
        // The cache was verified when this same manifest was written into it: then a size check is enough, as for a
        // local folder. Otherwise the cache is incomplete until the new manifest lands, and every kept shard is re-hashed.
        bool sameManifest = File.Exists(cachedManifest) && File.ReadAllBytes(cachedManifest).AsSpan().SequenceEqual(manifestBytes);
        if (!sameManifest) File.Delete(cachedManifest);

        long bytesTotal = manifest.Shards.Sum(s => s.Bytes), bytesDone = 0;
        int done = 0, downloaded = 0;
        foreach (var shard in manifest.Shards)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string path = Path.Combine(folder, shard.File);
            progress?.Report(new ShardTransferProgress(done, manifest.Shards.Count, bytesDone, bytesTotal, shard.File));
            if (!await IsCachedAsync(path, shard, sameManifest, cancellationToken))
            {
                await DownloadShardAsync(shard, path, cancellationToken);
                downloaded++;
            }
            bytesDone += shard.Bytes;
            done++;
            progress?.Report(new ShardTransferProgress(done, manifest.Shards.Count, bytesDone, bytesTotal, shard.File));
        }

        await DownloadReportAsync(folder, cancellationToken);
        RemoveStaleShards(folder, manifest);
        AtomicFile.WriteAllBytes(cachedManifest, manifestBytes);
        logger.LogInformation("Shard set from {Store} is in {Folder}: {Records} records in {Shards} shards, {Downloaded} downloaded",
            store.Description, folder, manifest.TotalRecords, manifest.Shards.Count, downloaded);
        return folder;
    }

    private static async Task<bool> IsCachedAsync(string path, ShardFileInfo shard, bool sameManifest, CancellationToken ct)
    {
        var file = new FileInfo(path);
        if (!file.Exists || file.Length != shard.Bytes) return false;
        return sameManifest || await HashFileAsync(path, ct) == shard.Sha256;
    }

    private async Task DownloadShardAsync(ShardFileInfo shard, string path, CancellationToken ct)
    {
        try
        {
            await store.DownloadToFileAsync(shard.File, path, ct);
        }
        catch (BlobNotFoundException e)
        {
            throw new ShardIntegrityException(shard.File, $"named by the manifest but missing from {store.Description}", e);
        }
        long length = new FileInfo(path).Length;
        string hash = await HashFileAsync(path, ct);
        if (length == shard.Bytes && hash == shard.Sha256) return;
        File.Delete(path); // never leave a bad copy where the next run would find it
        throw new ShardIntegrityException(shard.File,
            $"the copy in {store.Description} has SHA-256 {hash} ({length} bytes) but the manifest says {shard.Sha256} ({shard.Bytes} bytes)");
    }

    /// <summary>report.json is informational: copied when present, its absence is not an error.</summary>
    private async Task DownloadReportAsync(string folder, CancellationToken ct)
    {
        var report = await ShardStoreFiles.TryReadAsync(store, ShardFormat.ReportFileName, ct);
        if (report is not null) AtomicFile.WriteAllBytes(Path.Combine(folder, ShardFormat.ReportFileName), report);
    }

    /// <summary>Shards of an older version of the set: <see cref="ShardImageSource.IsShardFolder"/> and readers only follow the manifest, but they waste disk.</summary>
    private void RemoveStaleShards(string folder, ShardManifest manifest)
    {
        var named = manifest.Shards.Select(s => s.File).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder, "shard-*.tar"))
            if (!named.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
                logger.LogInformation("Removed stale {Shard} from the cache {Folder}", Path.GetFileName(file), folder);
            }
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }
}
