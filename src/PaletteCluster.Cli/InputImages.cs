using PaletteCluster.Data;

namespace PaletteCluster.Cli;

/// <summary>The `--input` convention shared by commands: one image file, or a folder's images in scan order.</summary>
public static class InputImages
{
    /// <param name="limit">At most this many (0: all).</param>
    public static IReadOnlyList<string> List(FileSystemInfo input, int limit = 0)
    {
        IReadOnlyList<string> files;
        if (File.Exists(input.FullName)) files = [input.FullName];
        else if (Directory.Exists(input.FullName))
        {
            var folder = ImageFolder.Scan(input.FullName);
            files = Enumerable.Range(0, folder.Count).Select(folder.FullPath).ToList();
        }
        else throw new FileNotFoundException($"input: '{input.FullName}' is neither an image file nor a folder");
        return limit > 0 ? files.Take(limit).ToList() : files;
    }
}
