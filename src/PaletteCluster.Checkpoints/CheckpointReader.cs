using System.Security.Cryptography;
using TorchSharp;

namespace PaletteCluster.Checkpoints;

/// <summary>A complete checkpoint folder found by <see cref="CheckpointReader.List"/>.</summary>
public sealed record CheckpointInfo(string Directory, long Step);

/// <summary>
/// Opens a checkpoint folder written by <see cref="CheckpointWriter"/> after validating it completely: the folder
/// exists, manifest.json parses and has a supported version, every required file is listed, and every listed file
/// exists with the recorded size and SHA-256. Every failure is a <see cref="CheckpointException"/> naming the
/// checkpoint, the file and the problem.
/// </summary>
public sealed class CheckpointReader
{
    private CheckpointReader(string directory, CheckpointManifest manifest)
    {
        Directory = directory;
        Manifest = manifest;
    }

    /// <summary>The checkpoint folder, as passed to <see cref="Open"/>.</summary>
    public string Directory { get; }

    public CheckpointManifest Manifest { get; }

    /// <summary>
    /// Opens and validates the checkpoint in <paramref name="checkpointDir"/>. <paramref name="requiredFiles"/>
    /// (default <see cref="CheckpointFiles.Required"/>) must be listed in the manifest. With
    /// <paramref name="verifyHashes"/> false only sizes are checked (faster for multi-GB folders).
    /// </summary>
    public static CheckpointReader Open(
        string checkpointDir,
        IReadOnlyCollection<string>? requiredFiles = null,
        bool verifyHashes = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointDir);
        var where = $"checkpoint {checkpointDir}";
        if (!System.IO.Directory.Exists(checkpointDir))
            throw new CheckpointException(File.Exists(checkpointDir)
                ? $"{where}: is a file, not a checkpoint folder"
                : $"{where}: folder does not exist");

        var manifest = ReadManifest(checkpointDir);

        foreach (var name in requiredFiles ?? CheckpointFiles.Required)
        {
            if (!manifest.Files.ContainsKey(name))
                throw new CheckpointException($"{where}: required file {name} is not listed in {CheckpointFiles.Manifest}");
        }

        foreach (var (name, entry) in manifest.Files.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var path = Path.Combine(checkpointDir, name);
            if (!File.Exists(path))
                throw new CheckpointException($"{where}: file {name} is missing (it is listed in {CheckpointFiles.Manifest})");
            var size = new FileInfo(path).Length;
            if (size != entry.Bytes)
                throw new CheckpointException(
                    $"{where}: file {name} has the wrong size: it has {size} bytes but the manifest says {entry.Bytes}" +
                    (size < entry.Bytes ? " (truncated)" : ""));
            if (!verifyHashes) continue;
            var actual = HashFile(path);
            if (actual != entry.Sha256)
                throw new CheckpointException(
                    $"{where}: file {name} is corrupt: SHA-256 is {actual} but the manifest says {entry.Sha256}");
        }
        return new CheckpointReader(checkpointDir, manifest);
    }

    /// <summary>Reads and parses only manifest.json (no file checks); throws <see cref="CheckpointException"/>.</summary>
    public static CheckpointManifest ReadManifest(string checkpointDir)
    {
        var where = $"checkpoint {checkpointDir}";
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

    /// <summary>Loads all tensors of a tensor file listed in the manifest into CPU tensors.</summary>
    public Dictionary<string, torch.Tensor> LoadTensors(string fileName) => LoadTensors(fileName, out _);

    /// <summary>Loads all tensors (and the <c>__metadata__</c> strings) of a tensor file listed in the manifest.</summary>
    public Dictionary<string, torch.Tensor> LoadTensors(string fileName, out IReadOnlyDictionary<string, string> metadata)
    {
        var where = $"checkpoint {Directory}: file {fileName}";
        if (!Manifest.Files.ContainsKey(fileName))
            throw new CheckpointException($"checkpoint {Directory}: file {fileName} is not listed in {CheckpointFiles.Manifest}");
        FileStream stream;
        try
        {
            stream = new FileStream(Path.Combine(Directory, fileName), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException($"{where} is missing", ex);
        }
        using (stream)
            return SafeTensors.Read(stream, where, out metadata);
    }

    /// <summary>Decoded bytes of RNG state <paramref name="name"/>; throws if the manifest has none.</summary>
    public byte[] GetRngState(string name) =>
        Manifest.GetRngState(name)
        ?? throw new CheckpointException($"checkpoint {Directory}: {CheckpointFiles.Manifest} has no RNG state '{name}'");

    /// <summary>
    /// Complete checkpoints directly under <paramref name="parentDir"/>, ordered by step: sub-folders with a
    /// parseable manifest.json. Hidden folders (including writer temp folders left by a crash) and folders
    /// without a manifest are skipped. Files are not verified; use <see cref="Open"/> for that.
    /// </summary>
    public static IReadOnlyList<CheckpointInfo> List(string parentDir)
    {
        if (!System.IO.Directory.Exists(parentDir)) return [];
        var found = new List<CheckpointInfo>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories(parentDir))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith('.')) continue;
            if (!File.Exists(Path.Combine(dir, CheckpointFiles.Manifest))) continue;
            try
            {
                found.Add(new CheckpointInfo(dir, ReadManifest(dir).Step));
            }
            catch (CheckpointException)
            {
                // Unreadable manifests are not complete checkpoints; Open reports the details.
            }
        }
        return found.OrderBy(c => c.Step).ThenBy(c => c.Directory, StringComparer.Ordinal).ToList();
    }

    /// <summary>The folder of the highest-step complete checkpoint under <paramref name="parentDir"/>, or null.</summary>
    public static string? FindLatest(string parentDir) => List(parentDir).LastOrDefault()?.Directory;

    private static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
