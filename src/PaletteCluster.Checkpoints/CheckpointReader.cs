using PaletteCluster.CheckpointFormat;
using TorchSharp;

namespace PaletteCluster.Checkpoints;

/// <summary>
/// Opens a checkpoint folder written by <see cref="CheckpointWriter"/> after <see cref="CheckpointVerifier"/> validated
/// it completely (manifest, required files, sizes, SHA-256), and loads its tensor files. Every failure is a
/// <see cref="CheckpointException"/> naming the checkpoint, the file and the problem.
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
        bool verifyHashes = true) =>
        new(checkpointDir, CheckpointVerifier.Verify(checkpointDir, requiredFiles, verifyHashes));

    /// <summary>Reads and parses only manifest.json (no file checks); throws <see cref="CheckpointException"/>.</summary>
    public static CheckpointManifest ReadManifest(string checkpointDir) => CheckpointVerifier.ReadManifest(checkpointDir);

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

    /// <summary>Complete checkpoints under <paramref name="parentDir"/>, ordered by step (see <see cref="CheckpointFolders.List"/>).</summary>
    public static IReadOnlyList<CheckpointInfo> List(string parentDir) => CheckpointFolders.List(parentDir);

    /// <summary>The folder of the highest-step complete checkpoint under <paramref name="parentDir"/>, or null.</summary>
    public static string? FindLatest(string parentDir) => CheckpointFolders.FindLatest(parentDir);
}
