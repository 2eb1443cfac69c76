namespace PaletteCluster.CheckpointFormat;

/// <summary>
/// Checks a checkpoint folder against its manifest.json: the manifest parses with a supported version, required
/// files are listed, and every listed file exists with the recorded size and SHA-256. The one implementation behind
/// opening a checkpoint for training (CheckpointReader), publishing it and restoring it (CheckpointStore).
/// Messages name the checkpoint and file and say what is wrong.
/// </summary>
public static class CheckpointVerifier
{
    /// <summary>
    /// Validates the checkpoint in <paramref name="checkpointDir"/> and returns its manifest; throws
    /// <see cref="CheckpointException"/> on the first problem. <paramref name="requiredFiles"/> (default
    /// <see cref="CheckpointFiles.Required"/>) must be listed. With <paramref name="verifyHashes"/> false only sizes are
    /// checked (faster for multi-GB folders).
    /// </summary>
    public static CheckpointManifest Verify(string checkpointDir, IReadOnlyCollection<string>? requiredFiles = null, bool verifyHashes = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointDir);
        var where = Where(checkpointDir);
        if (!Directory.Exists(checkpointDir))
            throw new CheckpointException(File.Exists(checkpointDir)
                ? $"{where}: is a file, not a checkpoint folder"
                : $"{where}: folder does not exist");

        var manifest = ReadManifest(checkpointDir);
        foreach (var name in requiredFiles ?? CheckpointFiles.Required)
        {
            if (!manifest.Files.ContainsKey(name))
                throw new CheckpointException($"{where}: required file {name} is not listed in {CheckpointFiles.Manifest}");
        }
        if (FindProblem(checkpointDir, manifest, verifyHashes) is { } problem)
            throw new CheckpointException($"{where}: {problem}");
        return manifest;
    }

    /// <summary>Null when every file <paramref name="manifest"/> lists is in <paramref name="folder"/> as recorded, else the first problem.</summary>
    public static string? FindProblem(string folder, CheckpointManifest manifest, bool verifyHashes = true)
    {
        foreach (var (name, entry) in manifest.Files.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            if (FileProblem(Path.Combine(folder, name), name, entry, verifyHashes) is { } problem)
                return problem;
        return null;
    }

    /// <summary>Null when the file at <paramref name="path"/> has <paramref name="entry"/>'s size (and SHA-256), else what is wrong with it.</summary>
    public static string? FileProblem(string path, string name, CheckpointFileEntry entry, bool verifyHash = true)
    {
        if (!File.Exists(path)) return $"file {name} is missing (it is listed in {CheckpointFiles.Manifest})";
        var size = new FileInfo(path).Length;
        if (size != entry.Bytes)
            return $"file {name} has the wrong size: it has {size} bytes but the manifest says {entry.Bytes}" +
                   (size < entry.Bytes ? " (truncated)" : "");
        if (!verifyHash) return null;
        var actual = Sha256Hex.OfFile(path);
        return actual == entry.Sha256 ? null : $"file {name} is corrupt: SHA-256 is {actual} but the manifest says {entry.Sha256}";
    }

    /// <summary>Reads and parses only manifest.json (no file checks); throws <see cref="CheckpointException"/>.</summary>
    public static CheckpointManifest ReadManifest(string checkpointDir)
    {
        var where = Where(checkpointDir);
        var manifestPath = Path.Combine(checkpointDir, CheckpointFiles.Manifest);
        if (!File.Exists(manifestPath))
            throw new CheckpointException(
                $"{where}: {CheckpointFiles.Manifest} is missing (the checkpoint is incomplete or this is not a checkpoint folder)");
        string json;
        try
        {
            json = File.ReadAllText(manifestPath);
        }
        catch (IOException ex)
        {
            throw new CheckpointException($"{where}: {CheckpointFiles.Manifest} cannot be read ({ex.Message})", ex);
        }
        return CheckpointManifest.Parse(json, where);
    }

    private static string Where(string checkpointDir) => $"checkpoint {checkpointDir}";
}
