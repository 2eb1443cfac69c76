using System.Globalization;
using Microsoft.Extensions.Logging;

namespace PaletteCluster.Worker;

/// <summary>
/// Local checkpoint folders newer than the step a job resumes from belong to a timeline the job abandoned (written by
/// a worker that died or was stopped before the job heard of them, or never published to the store). Training over
/// them again would collide with their folder names, so they go before a run resumes.
/// </summary>
public static class StaleCheckpoints
{
    /// <summary>Deletes the step folders in <paramref name="checkpointsDir"/> newer than the checkpoint folder <paramref name="resumeFrom"/>.</summary>
    public static void DiscardAfter(string checkpointsDir, string resumeFrom, ILogger logger)
    {
        if (StepOf(resumeFrom) is not { } resumeStep || !Directory.Exists(checkpointsDir)) return;
        foreach (var folder in Directory.EnumerateDirectories(checkpointsDir, "step-*"))
        {
            if (StepOf(folder) is not { } step || step <= resumeStep) continue;
            logger.LogWarning("Discarding local checkpoint {Folder}: the job resumes from step {Step}, which is older", folder, resumeStep);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The step of a folder named "step-NNNNNNNN"; null for other names.</summary>
    private static long? StepOf(string folder)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        return name.StartsWith("step-", StringComparison.Ordinal)
               && long.TryParse(name.AsSpan("step-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var step) ? step : null;
    }
}
