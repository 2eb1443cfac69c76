using System.Globalization;
using System.Text.RegularExpressions;
using PaletteCluster.Storage;

namespace PaletteCluster.Worker;

/// <summary>
/// The job grain's checkpoint pointer when checkpoints live in a checkpoint store: "store:&lt;jobId&gt;/step-NNNNNNNN".
/// Unlike a local path, any worker that can reach the store can resume from it.
/// </summary>
public static partial class StoreCheckpointRef
{
    public const string Scheme = "store:";

    public static string Format(string jobId, long step) => $"{Scheme}{jobId}/{CheckpointStore.StepFolder(step)}";

    public static bool IsStoreRef(string? pointer) => pointer?.StartsWith(Scheme, StringComparison.Ordinal) == true;

    /// <summary>Parses a pointer made by <see cref="Format"/>; false for local paths and malformed text.</summary>
    public static bool TryParse(string? pointer, out string jobId, out long step)
    {
        (jobId, step) = ("", 0);
        if (!IsStoreRef(pointer)) return false;
        var match = Pattern().Match(pointer![Scheme.Length..]);
        if (!match.Success || !long.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out step)) return false;
        jobId = match.Groups[1].Value;
        return true;
    }

    [GeneratedRegex(@"^(.+)/step-([0-9]{8,19})$")]
    private static partial Regex Pattern();
}
