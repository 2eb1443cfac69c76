using PaletteCluster.Imaging;
namespace PaletteCluster.Data;

/// <summary>
/// A folder of images (*.jpg, *.jpeg, *.png, case-insensitive, recursive; hidden files skipped), listed once in
/// ordinal order of their '/'-separated relative paths, so file index i names the same file on every machine.
/// </summary>
public sealed class ImageFolder : IImageSource
{
    public static readonly IReadOnlyList<string> Extensions = new[] { ".jpg", ".jpeg", ".png" };

    /// <summary>Absolute path of the scanned root.</summary>
    public string Root { get; }
    /// <summary>Relative paths with '/' separators, sorted ordinal.</summary>
    public IReadOnlyList<string> RelativePaths { get; }
    public int Count => RelativePaths.Count;

    private ImageFolder(string root, IReadOnlyList<string> relativePaths)
    {
        Root = root;
        RelativePaths = relativePaths;
    }

    public string FullPath(int index) =>
        Path.Combine(Root, RelativePaths[index].Replace('/', Path.DirectorySeparatorChar));

    /// <exception cref="DirectoryNotFoundException">the folder does not exist.</exception>
    /// <exception cref="InvalidDataException">the folder holds no images.</exception>
    public static ImageFolder Scan(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException(
                $"Image folder '{root}' does not exist (resolved to '{full}'). " +
                "For the demo photos run infra/sample-images/install.sh.");

        var options = new EnumerationOptions { RecurseSubdirectories = true, MatchCasing = MatchCasing.CaseInsensitive };
        var paths = Directory.EnumerateFiles(full, "*", options)
            .Where(p => Extensions.Contains(Path.GetExtension(p).ToLowerInvariant()))
            .Select(p => Path.GetRelativePath(full, p).Replace(Path.DirectorySeparatorChar, '/'))
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToArray();
        if (paths.Length == 0)
            throw new InvalidDataException(
                $"Image folder '{root}' contains no {string.Join("/", Extensions)} files (searched recursively).");
        return new ImageFolder(full, paths);
    }

    public string NameOf(int index) => RelativePaths[index];

    public string Fingerprint => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
        System.Text.Encoding.UTF8.GetBytes(string.Join('\n', RelativePaths))))[..16];

    public RgbImage Load(int index) => ImageCodec.Load(FullPath(index));
}
