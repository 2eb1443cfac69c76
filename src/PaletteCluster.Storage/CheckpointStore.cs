using Microsoft.Extensions.Logging;
using PaletteCluster.CheckpointFormat;

namespace PaletteCluster.Storage;

/// <summary>
/// Checkpoints of one job in a blob store, as immutable step folders "&lt;job&gt;/checkpoints/step-NNNNNNNN/" holding
/// the files of a local checkpoint folder (docs/checkpoint-format.md), plus a pointer blob
/// "&lt;job&gt;/checkpoints/latest" whose text is the newest complete step folder's name.
/// Publish uploads the files, then manifest.json, then moves the pointer: the pointer never names a folder whose
/// manifest is not yet complete. Restore verifies every file against the manifest and falls back to older steps
/// when the newest is damaged. See docs/storage.md.
/// </summary>
public sealed class CheckpointStore
{
    public const string LatestPointer = "latest";

    private readonly IBlobStore _store;
    private readonly CheckpointStoreOptions _options;
    private readonly ILogger _logger;
    private readonly string _root;

    public CheckpointStore(IBlobStore store, CheckpointStoreOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        BlobNames.Validate(options.Job, nameof(options.Job));
        if (options.Retention is { } r && (r.KeepLast < 1 || r.KeepEvery < 0))
            throw new ArgumentOutOfRangeException(nameof(options), "Retention needs KeepLast >= 1 and KeepEvery >= 0.");
        _store = store;
        _options = options;
        _logger = logger;
        _root = $"{options.Job}/checkpoints/";
    }

    /// <summary>The store's name for messages (container or folder).</summary>
    public string Description => _store.Description;

    /// <summary>Asks the store one cheap question (does "latest" exist?); throws when it cannot answer.</summary>
    public Task ProbeAsync(CancellationToken cancellationToken = default) => _store.ExistsAsync(LatestBlob, cancellationToken);

    /// <summary>Blob name of the "latest" pointer.</summary>
    public string LatestBlob => _root + LatestPointer;

    /// <summary>Blob name of <paramref name="file"/> in the folder of <paramref name="step"/>.</summary>
    public string BlobOf(long step, string file) => $"{_root}{CheckpointFolders.StepFolderName(step)}/{file}";

    /// <summary>
    /// Uploads the checkpoint folder <paramref name="localCheckpointFolder"/> (its manifest must say
    /// <paramref name="step"/>, and its files must match the manifest) as step folder <paramref name="step"/>: every
    /// listed file, then manifest.json, then "latest" (unless it names a newer step), then retention.
    /// Re-publishing an identical step is a no-op; a different checkpoint for a published step is refused.
    /// </summary>
    public async Task<CheckpointPublishResult> PublishAsync(string localCheckpointFolder, long step, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(localCheckpointFolder);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var manifestPath = Path.Combine(localCheckpointFolder, CheckpointFiles.Manifest);
        if (!File.Exists(manifestPath))
            throw new InvalidDataException($"checkpoint {localCheckpointFolder}: {CheckpointFiles.Manifest} is missing; only complete checkpoints can be published");
        var manifestText = await File.ReadAllTextAsync(manifestPath, cancellationToken);
        var manifest = ParseOrThrow(manifestText, $"checkpoint {localCheckpointFolder}");
        if (manifest.Step != step)
            throw new ArgumentException($"checkpoint {localCheckpointFolder} is step {manifest.Step}, not {step}", nameof(step));
        // A damaged local copy must not become "latest": check it before the first byte leaves the machine.
        if (CheckpointVerifier.FindProblem(localCheckpointFolder, manifest) is { } problem)
            throw new InvalidDataException($"checkpoint {localCheckpointFolder}: {problem}; refusing to publish it");

        var folder = CheckpointFolders.StepFolderName(step);
        var remoteManifest = BlobOf(step, CheckpointFiles.Manifest);
        var alreadyPublished = false;
        int uploaded = 0;
        long bytes = 0;
        if (await _store.ExistsAsync(remoteManifest, cancellationToken))
        {
            var existing = await _store.ReadTextAsync(remoteManifest, cancellationToken);
            if (existing == manifestText || SameFiles(existing, manifest))
                alreadyPublished = true; // e.g. a crash after the manifest but before "latest" moved, then the same steps retrained
            else if (await ReadLatestAsync(cancellationToken) is { } latest && step <= latest)
                throw new InvalidOperationException(
                    $"{_store.Description}: {_root}{folder} is already published with a different manifest; checkpoints are immutable");
            else
            {
                // Newer than "latest": a publish whose worker died before moving the pointer. Nobody resumed from it
                // (restores never look past "latest"), and retraining may not reproduce it bit for bit (GPU kernels),
                // so replacing it is safe, while refusing would block the job forever.
                _logger.LogWarning("Replacing {Folder} in {Store}: an earlier publish of step {Step} with other content never became latest",
                    $"{_root}{folder}", _store.Description, step);
                await DeleteStepAsync(step, cancellationToken);
            }
        }
        if (!alreadyPublished)
        {
            foreach (var (name, entry) in manifest.Files)
            {
                await using var file = new FileStream(Path.Combine(localCheckpointFolder, name), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
                await _store.UploadAsync(BlobOf(step, name), file, cancellationToken);
                uploaded++;
                bytes += entry.Bytes;
            }
            // The manifest is what makes a folder complete, so it goes last.
            await _store.WriteTextAsync(remoteManifest, manifestText, cancellationToken);
            uploaded++;
        }

        var stored = (await ListAsync(cancellationToken)).FirstOrDefault(c => c.Step == step);
        if (stored is not { State: CheckpointState.Complete })
            throw new BlobStoreException(_store.Description, $"{_root}{folder}",
                $"is not complete right after publishing ({stored?.Problem ?? "not listed"}); 'latest' left unchanged");

        var latestMoved = await MoveLatestAsync(step, cancellationToken);
        _logger.LogInformation("Published checkpoint step {Step} to {Store} ({Files} files, {Bytes} bytes uploaded{Note})",
            step, _store.Description, uploaded, bytes, alreadyPublished ? ", already there" : "");

        IReadOnlyList<long> deleted = [];
        if (_options.Retention is not null)
        {
            try
            {
                deleted = await ApplyRetentionAsync(cancellationToken);
            }
            catch (BlobStoreException ex)
            {
                // The checkpoint is safe; leftovers are deleted by the next publish's retention.
                _logger.LogWarning(ex, "Retention after publishing step {Step} failed: {Reason}", step, ex.Message);
            }
        }
        return new CheckpointPublishResult(step, folder, uploaded, bytes, alreadyPublished, latestMoved, deleted);
    }

    /// <summary>
    /// Downloads the checkpoint named by "latest" into &lt;<paramref name="localParentFolder"/>&gt;/step-NNNNNNNN and
    /// verifies every file against its manifest. A damaged or partial step (missing manifest or file, wrong size,
    /// wrong SHA-256, pointer to a missing folder) is logged, reported in the result, and the next older step tried.
    /// An existing valid local copy is reused. Store outages are not damage: they propagate (after the store's
    /// retries) instead of falling back to an older checkpoint.
    /// </summary>
    public async Task<CheckpointRestoreResult> RestoreLatestAsync(string localParentFolder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(localParentFolder);
        var rejected = new List<RejectedCheckpoint>();
        var latest = await ReadLatestAsync(cancellationToken);
        var listed = await ListAsync(cancellationToken);

        var candidates = new List<long>();
        if (latest is { } pointed)
        {
            candidates.Add(pointed);
            // Older steps only: a folder newer than "latest" may be a publish still in progress.
            candidates.AddRange(listed.Where(c => c.Step < pointed).Select(c => c.Step).OrderDescending());
        }
        else
        {
            candidates.AddRange(listed.Select(c => c.Step).OrderDescending());
        }

        foreach (var step in candidates)
        {
            var known = listed.FirstOrDefault(c => c.Step == step);
            var reason = known switch
            {
                null => $"{_root}{CheckpointFolders.StepFolderName(step)} does not exist",
                { State: CheckpointState.Partial } => known.Problem,
                _ => await TryDownloadAsync(step, localParentFolder, cancellationToken),
            };
            if (reason is null)
            {
                var directory = Path.Combine(localParentFolder, CheckpointFolders.StepFolderName(step));
                _logger.LogInformation("Restored checkpoint step {Step} from {Store} into {Directory}", step, _store.Description, directory);
                return new CheckpointRestoreResult(step, directory, rejected);
            }
            _logger.LogWarning("Checkpoint step {Step} in {Store} is unusable, trying an older one: {Reason}", step, _store.Description, reason);
            rejected.Add(new RejectedCheckpoint(step, CheckpointFolders.StepFolderName(step), reason!));
        }
        if (rejected.Count > 0)
            _logger.LogError("No usable checkpoint in {Store} under {Root}: all {Count} candidates were rejected", _store.Description, _root, rejected.Count);
        return new CheckpointRestoreResult(null, null, rejected);
    }

    /// <summary>Every step folder of the job, by step, with its state (from one listing plus each manifest; no hashing).</summary>
    public async Task<IReadOnlyList<StoredCheckpoint>> ListAsync(CancellationToken cancellationToken = default)
    {
        var blobs = await _store.ListAsync(_root, cancellationToken);
        var latest = await ReadLatestAsync(cancellationToken);
        var result = new List<StoredCheckpoint>();
        foreach (var group in blobs.GroupBy(b => b.Name[_root.Length..].Split('/')[0]))
        {
            if (!CheckpointFolders.TryParseStep(group.Key, out var step)) continue; // "latest" and foreign blobs
            var files = group.Where(b => b.Name.Count(c => c == '/') == _root.Count(c => c == '/') + 1)
                .ToDictionary(b => b.Name[(_root.Length + group.Key.Length + 1)..], b => b.Size, StringComparer.Ordinal);
            var problem = await CompletenessProblemAsync(step, files, cancellationToken);
            result.Add(new StoredCheckpoint(step, group.Key, problem is null ? CheckpointState.Complete : CheckpointState.Partial,
                files.Count, files.Values.Sum(), step == latest, problem));
        }
        return result.OrderBy(c => c.Step).ToList();
    }

    /// <summary>
    /// Deletes complete steps outside <see cref="CheckpointStoreOptions.Retention"/> and partial leftovers older than
    /// "latest"; never the step "latest" names. Returns the deleted steps. Does nothing without a retention setting.
    /// </summary>
    public async Task<IReadOnlyList<long>> ApplyRetentionAsync(CancellationToken cancellationToken = default)
    {
        if (_options.Retention is not { } retention) return [];
        var latest = await ReadLatestAsync(cancellationToken);
        var all = await ListAsync(cancellationToken);
        var complete = all.Where(c => c.State == CheckpointState.Complete).Select(c => c.Step).ToList();
        var keep = complete.TakeLast(retention.KeepLast).ToHashSet();
        if (retention.KeepEvery > 0) keep.UnionWith(complete.Where(s => s % retention.KeepEvery == 0));
        if (latest is { } l) keep.Add(l);

        var doomed = all.Where(c => !keep.Contains(c.Step) && (c.State == CheckpointState.Complete || c.Step < latest)).ToList();
        foreach (var checkpoint in doomed)
            await DeleteStepAsync(checkpoint.Step, cancellationToken);
        if (doomed.Count > 0)
            _logger.LogInformation("Retention deleted checkpoint steps {Steps} from {Store}", string.Join(", ", doomed.Select(c => c.Step)), _store.Description);
        return doomed.Select(c => c.Step).ToList();
    }

    /// <summary>Whether a published manifest lists exactly the same files with the same sizes and hashes (its metadata may differ).</summary>
    private static bool SameFiles(string publishedManifest, CheckpointManifest local)
    {
        CheckpointManifest published;
        try { published = CheckpointManifest.Parse(publishedManifest, "published"); }
        catch (CheckpointException) { return false; }
        return published.Step == local.Step && published.Files.Count == local.Files.Count
            && local.Files.All(f => published.Files.TryGetValue(f.Key, out var p) && p == f.Value);
    }

    /// <summary>The step "latest" names, or null when there is no pointer or it is unreadable (logged).</summary>
    public async Task<long?> ReadLatestAsync(CancellationToken cancellationToken = default)
    {
        string text;
        try
        {
            text = await _store.ReadTextAsync(LatestBlob, cancellationToken);
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
        if (!CheckpointFolders.TryParseStep(text.Trim(), out var step))
        {
            _logger.LogWarning("{Blob} in {Store} holds '{Text}', not a step folder name; ignoring it", LatestBlob, _store.Description, text.Trim());
            return null;
        }
        return step;
    }

    private async Task<bool> MoveLatestAsync(long step, CancellationToken cancellationToken)
    {
        var current = await ReadLatestAsync(cancellationToken);
        if (current > step && await _store.ExistsAsync(BlobOf(current.Value, CheckpointFiles.Manifest), cancellationToken))
        {
            _logger.LogInformation("Not moving {Blob} back from step {Current} to {Step}", LatestBlob, current, step);
            return false;
        }
        await _store.WriteTextAsync(LatestBlob, CheckpointFolders.StepFolderName(step), cancellationToken);
        return true;
    }

    /// <summary>Null if the folder's manifest is valid, says its step, and every listed file is present with its size.</summary>
    private async Task<string?> CompletenessProblemAsync(long step, IReadOnlyDictionary<string, long> files, CancellationToken cancellationToken)
    {
        var where = $"{_root}{CheckpointFolders.StepFolderName(step)}";
        if (!files.ContainsKey(CheckpointFiles.Manifest))
            return $"{where}: {CheckpointFiles.Manifest} is missing (publish interrupted or step deleted)";
        CheckpointManifest manifest;
        try
        {
            manifest = CheckpointManifest.Parse(await _store.ReadTextAsync(BlobOf(step, CheckpointFiles.Manifest), cancellationToken), where);
        }
        catch (CheckpointException ex)
        {
            return ex.Message;
        }
        catch (BlobNotFoundException)
        {
            return $"{where}: {CheckpointFiles.Manifest} disappeared while listing (being deleted)";
        }
        if (manifest.Step != step) return $"{where}: {CheckpointFiles.Manifest} says step {manifest.Step}";
        foreach (var (name, entry) in manifest.Files)
        {
            if (!files.TryGetValue(name, out var size)) return $"{where}: file {name} is missing";
            if (size != entry.Bytes)
                return $"{where}: file {name} has the wrong size: it has {size} bytes but the manifest says {entry.Bytes}" + (size < entry.Bytes ? " (truncated)" : "");
        }
        return null;
    }

    /// <summary>Downloads and verifies one step into the local parent folder; returns null on success or the reason it is unusable.</summary>
    private async Task<string?> TryDownloadAsync(long step, string localParentFolder, CancellationToken cancellationToken)
    {
        var folder = CheckpointFolders.StepFolderName(step);
        var where = $"{_root}{folder}";
        var target = Path.Combine(localParentFolder, folder);
        // Hidden and renamed into place at the end: CheckpointReader.List never sees a half-restored folder.
        var temp = Path.Combine(localParentFolder, $".{folder}.restore-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var tempManifest = Path.Combine(temp, CheckpointFiles.Manifest);
            try
            {
                await _store.DownloadToFileAsync(BlobOf(step, CheckpointFiles.Manifest), tempManifest, cancellationToken);
            }
            catch (BlobNotFoundException)
            {
                return $"{where}: {CheckpointFiles.Manifest} is missing";
            }
            CheckpointManifest manifest;
            try
            {
                manifest = CheckpointManifest.Parse(await File.ReadAllTextAsync(tempManifest, cancellationToken), where);
            }
            catch (CheckpointException ex)
            {
                return ex.Message;
            }
            if (manifest.Step != step) return $"{where}: {CheckpointFiles.Manifest} says step {manifest.Step}";

            if (Directory.Exists(target))
            {
                if (await LocalCopyMatchesAsync(target, tempManifest, manifest, cancellationToken))
                {
                    _logger.LogInformation("Local copy {Directory} of step {Step} is intact; not downloading it again", target, step);
                    return null;
                }
                _logger.LogWarning("Local copy {Directory} of step {Step} differs from the store; replacing it", target, step);
                Directory.Delete(target, recursive: true);
            }

            foreach (var name in manifest.Files.Keys)
            {
                var path = Path.Combine(temp, name);
                try
                {
                    await _store.DownloadToFileAsync(BlobOf(step, name), path, cancellationToken);
                }
                catch (BlobNotFoundException)
                {
                    return $"{where}: file {name} is missing";
                }
                if (CheckpointVerifier.FileProblem(path, name, manifest.Files[name]) is { } problem) return $"{where}: {problem}";
            }
            Directory.Move(temp, target);
            return null;
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    private static async Task<bool> LocalCopyMatchesAsync(string folder, string remoteManifestPath, CheckpointManifest manifest, CancellationToken cancellationToken)
    {
        var localManifest = Path.Combine(folder, CheckpointFiles.Manifest);
        if (!File.Exists(localManifest)) return false;
        var local = await File.ReadAllBytesAsync(localManifest, cancellationToken);
        var remote = await File.ReadAllBytesAsync(remoteManifestPath, cancellationToken);
        return local.AsSpan().SequenceEqual(remote) && CheckpointVerifier.FindProblem(folder, manifest) is null;
    }

    private async Task DeleteStepAsync(long step, CancellationToken cancellationToken)
    {
        // Manifest first: from then on the folder reads as partial, so nobody restores a half-deleted step.
        await _store.DeleteAsync(BlobOf(step, CheckpointFiles.Manifest), cancellationToken);
        foreach (var blob in await _store.ListAsync($"{_root}{CheckpointFolders.StepFolderName(step)}/", cancellationToken))
            await _store.DeleteAsync(blob.Name, cancellationToken);
    }

    private static CheckpointManifest ParseOrThrow(string json, string where)
    {
        try
        {
            return CheckpointManifest.Parse(json, where);
        }
        catch (CheckpointException ex)
        {
            // Storage callers handle a bad local folder as invalid data, like the other publish refusals.
            throw new InvalidDataException(ex.Message, ex);
        }
    }
}
