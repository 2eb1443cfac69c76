using Microsoft.Extensions.Logging;
using PaletteCluster.CheckpointFormat;

namespace PaletteCluster.Worker;

/// <summary>
/// Local checkpoint folders newer than the step a job resumes from belong to a timeline the job abandoned (written by
/// a worker that died or was stopped before the job heard of them, or never published to the store). Training over
/// them again would collide with their folder names, so they go before a run resumes.
/// </summary>
public static class StaleCheckpoints
{
    /// <summary>Deletes the checkpoints in <paramref name="checkpointsDir"/> newer than <paramref name="resumeFrom"/>, one of them.</summary>
    public static void DiscardAfter(string checkpointsDir, string resumeFrom, ILogger logger)
    {
        var all = CheckpointFolders.List(checkpointsDir);
        var resumed = all.FirstOrDefault(c => Path.GetFullPath(c.Directory) == Path.GetFullPath(resumeFrom));
        if (resumed is null) return; // resuming from elsewhere (shared storage): nothing here to collide with
        foreach (var stale in all.Where(c => c.Step > resumed.Step))
        {
            logger.LogWarning("Discarding local checkpoint {Folder}: the job resumes from step {Step}, which is older", stale.Directory, resumed.Step);
            Directory.Delete(stale.Directory, recursive: true);
        }
    }
}
