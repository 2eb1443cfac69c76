using System.Globalization;

namespace PaletteCluster.CheckpointFormat;

/// <summary>A complete checkpoint folder found by <see cref="CheckpointFolders.List"/>.</summary>
public sealed record CheckpointInfo(string Directory, long Step);

/// <summary>
/// Names of step folders ("step-00001234"), the one naming rule for local run folders, the checkpoint store's
/// blob folders and its "latest" pointer; and finding the complete checkpoints under a parent folder.
/// </summary>
public static class CheckpointFolders
{
    public const string Prefix = "step-";

    /// <summary>Digits of a step in a folder name: zero-padded so that names of steps below 10^8 sort by step.</summary>
    private const int MinDigits = 8;

    /// <summary>"step-" and the step, zero-padded to 8 digits.</summary>
    public static string StepFolderName(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return Prefix + step.ToString("D" + MinDigits, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The step of a name made by <see cref="StepFolderName"/>: "step-" and 8 to 19 ASCII digits, nothing else (no sign,
    /// no spaces, no path). False for anything else, including steps beyond <see cref="long.MaxValue"/>.
    /// </summary>
    public static bool TryParseStep(string? name, out long step)
    {
        step = 0;
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var digits = name.AsSpan(Prefix.Length);
        if (digits.Length is < MinDigits or > 19) return false;
        foreach (var c in digits)
            if (c is < '0' or > '9') return false;
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out step);
    }

    /// <summary>The step-folder name ending <paramref name="path"/> ("runs/a/checkpoints/step-00000010/" gives 10), or null.</summary>
    public static long? StepOfPath(string path)
    {
        var leaf = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        return TryParseStep(leaf, out var step) ? step : null;
    }

    /// <summary>The highest step among <paramref name="names"/> that are step-folder names, or null when none is.</summary>
    public static long? LatestStep(IEnumerable<string> names)
    {
        long? latest = null;
        foreach (var name in names)
            if (TryParseStep(name, out var step) && (latest is null || step > latest)) latest = step;
        return latest;
    }

    /// <summary>
    /// Complete checkpoints directly under <paramref name="parentDir"/>, ordered by step: sub-folders with a
    /// parseable manifest.json (their step is the manifest's, whatever the folder is called). Hidden folders
    /// (including writer temp folders left by a crash) and folders without a manifest are skipped. Files are not
    /// verified; <see cref="CheckpointVerifier.Verify"/> does that.
    /// </summary>
    public static IReadOnlyList<CheckpointInfo> List(string parentDir)
    {
        if (!Directory.Exists(parentDir)) return [];
        var found = new List<CheckpointInfo>();
        foreach (var dir in Directory.EnumerateDirectories(parentDir))
        {
            if (Path.GetFileName(dir).StartsWith('.')) continue;
            if (!File.Exists(Path.Combine(dir, CheckpointFiles.Manifest))) continue;
            try
            {
                found.Add(new CheckpointInfo(dir, CheckpointVerifier.ReadManifest(dir).Step));
            }
            catch (CheckpointException)
            {
                // Unreadable manifests are not complete checkpoints; Verify reports the details.
            }
        }
        return found.OrderBy(c => c.Step).ThenBy(c => c.Directory, StringComparer.Ordinal).ToList();
    }

    /// <summary>The folder of the highest-step complete checkpoint under <paramref name="parentDir"/>, or null.</summary>
    public static string? FindLatest(string parentDir) => List(parentDir).LastOrDefault()?.Directory;
}
