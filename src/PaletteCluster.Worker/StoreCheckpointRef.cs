using PaletteCluster.CheckpointFormat;

namespace PaletteCluster.Worker;

/// <summary>
/// The job grain's checkpoint pointer when checkpoints live in a checkpoint store: "store:&lt;jobId&gt;/step-NNNNNNNN".
/// Unlike a local path, any worker that can reach the store can resume from it.
/// </summary>
public static class StoreCheckpointRef
{
    public const string Scheme = "store:";

    public static string Format(string jobId, long step) => $"{Scheme}{jobId}/{CheckpointFolders.StepFolderName(step)}";

    public static bool IsStoreRef(string? pointer) => pointer?.StartsWith(Scheme, StringComparison.Ordinal) == true;

    /// <summary>Parses a pointer made by <see cref="Format"/>; false for local paths and malformed text.</summary>
    public static bool TryParse(string? pointer, out string jobId, out long step)
    {
        (jobId, step) = ("", 0);
        if (!IsStoreRef(pointer)) return false;
        var rest = pointer![Scheme.Length..];
        var slash = rest.LastIndexOf('/');
        if (slash <= 0 || !CheckpointFolders.TryParseStep(rest[(slash + 1)..], out step)) return false;
        jobId = rest[..slash];
        return true;
    }
}
