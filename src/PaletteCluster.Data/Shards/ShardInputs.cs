namespace PaletteCluster.Data.Shards;

/// <summary>Collects the input files of a build from folders and list files, deduplicated, in ordinal relative-path order.</summary>
public static class ShardInputs
{
    private static readonly string[] ImageExtensions = { ".jpg", ".jpeg", ".png" };

    /// <summary>The sorted inputs and the base directory their relative paths are taken from.</summary>
    /// <exception cref="DirectoryNotFoundException">an input folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">a list file does not exist.</exception>
    /// <exception cref="ArgumentException">no input folder or list file was given.</exception>
    public static (IReadOnlyList<ShardInput> Inputs, string BaseDirectory) Collect(ShardBuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.InputFolders.Count == 0 && options.ListFiles.Count == 0)
            throw new ArgumentException("A shard build needs at least one input folder or list file.", nameof(options));

        var paths = new HashSet<string>(StringComparer.Ordinal);
        var folders = options.InputFolders.Select(Path.GetFullPath).ToArray();
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder))
                throw new DirectoryNotFoundException($"Shard input folder '{folder}' does not exist.");
            var enumeration = new EnumerationOptions
            {
                RecurseSubdirectories = true,
                MatchCasing = MatchCasing.CaseInsensitive,
                // Unreadable subfolders are left out rather than aborting the scan; files inside readable folders
                // that cannot be opened are still listed and reported as unreadable.
                IgnoreInaccessible = true,
            };
            foreach (var file in Directory.EnumerateFiles(folder, "*", enumeration))
                if (ImageExtensions.Contains(Path.GetExtension(file).ToLowerInvariant()))
                    paths.Add(Path.GetFullPath(file));
        }
        foreach (var list in options.ListFiles)
            foreach (var file in ReadListFile(list))
                paths.Add(file);

        string baseDir = options.BaseDirectory is { } b ? Path.GetFullPath(b)
            : folders.Length == 1 && options.ListFiles.Count == 0 ? folders[0]
            : CommonDirectory(paths);

        var inputs = paths
            .Select(p => Stat(p, Path.GetRelativePath(baseDir, p).Replace(Path.DirectorySeparatorChar, '/')))
            .OrderBy(i => i.RelativePath, StringComparer.Ordinal)
            .ThenBy(i => i.FullPath, StringComparer.Ordinal)
            .ToList();
        return (inputs, baseDir);
    }

    /// <summary>Absolute paths named by a list file: one per line, blank lines and '#' comments ignored.</summary>
    public static IReadOnlyList<string> ReadListFile(string listFile)
    {
        string full = Path.GetFullPath(listFile);
        if (!File.Exists(full))
            throw new FileNotFoundException($"Shard input list '{full}' does not exist.", full);
        string dir = Path.GetDirectoryName(full)!;
        var result = new List<string>();
        foreach (var raw in File.ReadLines(full))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            result.Add(Path.GetFullPath(line, dir));
        }
        return result;
    }

    private static ShardInput Stat(string full, string relative)
    {
        try
        {
            var info = new FileInfo(full);
            if (info.Exists) return new ShardInput(full, relative, info.Length, info.LastWriteTimeUtc.Ticks);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return new ShardInput(full, relative, -1, -1);
    }

    private static string CommonDirectory(IEnumerable<string> files)
    {
        string? common = null;
        foreach (var f in files)
        {
            string dir = Path.GetDirectoryName(f)!;
            if (common is null) { common = dir; continue; }
            while (!IsUnder(dir, common))
                common = Path.GetDirectoryName(common) ?? Path.GetPathRoot(common)!;
        }
        return common ?? Directory.GetCurrentDirectory();
    }

    private static bool IsUnder(string dir, string root) =>
        dir.Equals(root, StringComparison.Ordinal)
        || dir.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
