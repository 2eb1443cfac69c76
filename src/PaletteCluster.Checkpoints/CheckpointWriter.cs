using System.Text.Json.Nodes;
using PaletteCluster.CheckpointFormat;
using TorchSharp;

namespace PaletteCluster.Checkpoints;

/// <summary>Everything that goes into one checkpoint.</summary>
public sealed record CheckpointContent
{
    /// <summary>Training step (optimizer updates done so far).</summary>
    public required long Step { get; init; }

    /// <summary>Tensor files: file name (e.g. "model.safetensors") -> tensor name -> tensor (any device).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, torch.Tensor>> TensorFiles { get; init; }

    /// <summary>Optional <c>__metadata__</c> strings per tensor file (merged over {"format": "pt"}).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? FileMetadata { get; init; }

    /// <summary>The run configuration (free-form JSON object; deep-copied into the manifest).</summary>
    public JsonObject? Config { get; init; }

    /// <summary>Schedule/trainer state (free-form JSON object; deep-copied).</summary>
    public JsonObject? State { get; init; }

    /// <summary>RNG states: name -> raw bytes (e.g. a torch generator's get_state()). Stored as base64.</summary>
    public IReadOnlyDictionary<string, byte[]>? RngStates { get; init; }

    /// <summary>Position in the data stream (free-form JSON object; deep-copied).</summary>
    public JsonObject? DataPosition { get; init; }

    /// <summary>Creation time; defaults to now. Stored in UTC with millisecond precision.</summary>
    public DateTime? CreatedUtc { get; init; }
}

/// <summary>
/// Writes checkpoint folders atomically: every file goes into a hidden sibling temp folder
/// (<c>.&lt;name&gt;.tmp-&lt;guid&gt;</c>), is hashed while written and fsynced; manifest.json is written last; then
/// the folder is renamed into place. A crash leaves at most a hidden temp folder, which readers ignore.
/// </summary>
public static class CheckpointWriter
{
    /// <summary>Prefix/infix of temp folders: <c>.{name}.tmp-{guid}</c>.</summary>
    public const string TempInfix = ".tmp-";

    /// <summary>
    /// Writes a checkpoint to <paramref name="checkpointDir"/>, which must not exist yet. The tensor files named in
    /// <paramref name="requiredFiles"/> (default <see cref="CheckpointFiles.Required"/>) must be present in
    /// <paramref name="content"/>. Returns the manifest written.
    /// </summary>
    public static CheckpointManifest Write(
        string checkpointDir,
        CheckpointContent content,
        IReadOnlyCollection<string>? requiredFiles = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointDir);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(content.TensorFiles);
        if (content.Step < 0) throw new ArgumentOutOfRangeException(nameof(content), "Step must be non-negative.");
        foreach (var name in content.TensorFiles.Keys)
        {
            if (!CheckpointFiles.IsValidFileName(name))
                throw new ArgumentException($"Invalid checkpoint file name '{name}' (plain, non-hidden file names only; not {CheckpointFiles.Manifest}).");
        }
        foreach (var name in requiredFiles ?? CheckpointFiles.Required)
        {
            if (!content.TensorFiles.ContainsKey(name))
                throw new ArgumentException($"Checkpoint content has no '{name}', which is required.");
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(checkpointDir));
        var parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{checkpointDir}' has no parent folder.");
        var leaf = Path.GetFileName(full);
        if (string.IsNullOrEmpty(leaf) || leaf.StartsWith('.'))
            throw new ArgumentException($"Checkpoint folder name '{leaf}' must be non-empty and not hidden.");

        Directory.CreateDirectory(parent);
        EnsureTargetFree(checkpointDir, full);

        var temp = Path.Combine(parent, $".{leaf}{TempInfix}{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var files = new SortedDictionary<string, CheckpointFileEntry>(StringComparer.Ordinal);
            foreach (var (fileName, tensors) in content.TensorFiles.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
                if (content.FileMetadata is not null && content.FileMetadata.TryGetValue(fileName, out var extra))
                    foreach (var (k, v) in extra) metadata[k] = v;

                // Unbuffered (bufferSize 0): tensor bytes go from tensor memory straight to the file, and a writer on a
                // background thread allocates no managed buffers while the training steps run.
                using var file = new FileStream(Path.Combine(temp, fileName), FileMode.CreateNew, FileAccess.Write,
                    FileShare.None, bufferSize: 0);
                using var hashing = new HashingStream(file, leaveOpen: true);
                SafeTensors.Write(hashing, tensors, metadata);
                hashing.Flush();
                file.Flush(flushToDisk: true);
                files[fileName] = new CheckpointFileEntry(hashing.BytesWritten, hashing.GetHashHex());
            }

            var created = (content.CreatedUtc ?? DateTime.UtcNow).ToUniversalTime();
            created = new DateTime(created.Ticks - created.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
            var rng = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, bytes) in content.RngStates ?? new Dictionary<string, byte[]>())
                rng[name] = Convert.ToBase64String(bytes);

            var manifest = new CheckpointManifest
            {
                Step = content.Step,
                CreatedUtc = created,
                Config = (JsonObject?)content.Config?.DeepClone() ?? new JsonObject(),
                State = (JsonObject?)content.State?.DeepClone() ?? new JsonObject(),
                Rng = rng,
                DataPosition = (JsonObject?)content.DataPosition?.DeepClone() ?? new JsonObject(),
                Files = files,
            };
            using (var file = new FileStream(Path.Combine(temp, CheckpointFiles.Manifest), FileMode.CreateNew,
                       FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                file.Write(manifest.ToJsonBytes());
                file.Flush(flushToDisk: true);
            }

            EnsureTargetFree(checkpointDir, full);
            try
            {
                Directory.Move(temp, full);
            }
            catch (IOException ex) when (Directory.Exists(full))
            {
                throw new CheckpointException(
                    $"checkpoint {checkpointDir}: the folder appeared while writing; refusing to overwrite it", ex);
            }
            return manifest;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>True for a folder name produced by this writer as a temp folder (hidden, contains ".tmp-").</summary>
    public static bool IsTempFolderName(string name) => name.StartsWith('.') && name.Contains(TempInfix, StringComparison.Ordinal);

    private static void EnsureTargetFree(string shownPath, string full)
    {
        if (File.Exists(full))
            throw new CheckpointException($"checkpoint {shownPath}: a file with that name already exists; refusing to overwrite it");
        if (!Directory.Exists(full)) return;
        if (File.Exists(Path.Combine(full, CheckpointFiles.Manifest)))
            throw new CheckpointException($"checkpoint {shownPath} already exists (it has a {CheckpointFiles.Manifest}); refusing to overwrite it");
        throw new CheckpointException($"checkpoint {shownPath}: the folder already exists (without a {CheckpointFiles.Manifest}); refusing to overwrite it");
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
