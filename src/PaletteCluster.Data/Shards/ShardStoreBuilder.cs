using System.Text.Json;
using Microsoft.Extensions.Logging;
using PaletteCluster.Storage;

namespace PaletteCluster.Data.Shards;

/// <summary>The build's report (its output is the store) and what the upload did; <see cref="Publish"/> is null when the store was already current.</summary>
public sealed record ShardStoreBuildResult(ShardBuildReport Report, ShardPublishResult? Publish);

/// <summary>
/// <c>palette shards build --output &lt;store&gt;</c>: builds into a local staging folder exactly like a folder build
/// (resumable, temp+rename), then publishes it with <see cref="ShardSetPublisher"/>. When the store's manifest already
/// records the same input fingerprint and all its shards are there, nothing is built or uploaded.
/// </summary>
public sealed class ShardStoreBuilder(IBlobStore store, ILogger logger)
{
    /// <param name="options">The build; its <see cref="ShardBuildOptions.OutputFolder"/> is the staging folder.</param>
    /// <exception cref="BlobStoreException">the store failed; checked before building, so an unreachable store fails fast.</exception>
    public async Task<ShardStoreBuildResult> BuildAsync(ShardBuildOptions options, IProgress<ShardTransferProgress>? uploadProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Read first even with Force: an unreachable store or a bad container fails now, not after hours of building.
        byte[]? published = await ShardStoreFiles.TryReadAsync(store, ShardFormat.ManifestFileName, cancellationToken);
        if (!options.Force && published is not null && await CurrentReportAsync(options, published, cancellationToken) is { } current)
            return new ShardStoreBuildResult(current, Publish: null);

        var report = ShardBuilder.Build(options, cancellationToken);
        var publish = await new ShardSetPublisher(store, logger).PublishAsync(options.OutputFolder, uploadProgress, cancellationToken);
        return new ShardStoreBuildResult(report with { OutputFolder = store.Description }, publish);
    }

    /// <summary>The store's report marked up to date when its manifest matches the inputs' fingerprint and every shard is there in size; else null.</summary>
    private async Task<ShardBuildReport?> CurrentReportAsync(ShardBuildOptions options, byte[] published, CancellationToken ct)
    {
        var manifest = ShardStoreFiles.TryParseManifest(published);
        if (manifest is null || manifest.FormatVersion != ShardFormat.Version
            || manifest.InputFingerprint != ShardBuilder.InputFingerprint(options))
            return null;
        var sizes = (await store.ListAsync(ShardStoreFiles.ShardPrefix, ct)).ToDictionary(b => b.Name, b => b.Size, StringComparer.Ordinal);
        var absent = manifest.Shards.FirstOrDefault(s => !sizes.TryGetValue(s.File, out long size) || size != s.Bytes);
        if (absent is not null)
        {
            logger.LogWarning("{Shard} is missing from {Store} or has the wrong size; building and uploading again", absent.File, store.Description);
            return null;
        }

        ShardBuildReport? stored = null;
        if (await ShardStoreFiles.TryReadAsync(store, ShardFormat.ReportFileName, ct) is { } bytes)
        {
            try { stored = JsonSerializer.Deserialize<ShardBuildReport>(bytes, ShardFormat.Json); }
            catch (JsonException) { /* the manifest is what matters; an unreadable report only loses the issue list */ }
        }
        logger.LogInformation("Shards in {Store} are up to date ({Records} records); nothing to do", store.Description, manifest.TotalRecords);
        return (stored ?? new ShardBuildReport { RecordsWritten = manifest.TotalRecords, ShardCount = manifest.Shards.Count })
            with { UpToDate = true, OutputFolder = store.Description };
    }
}
