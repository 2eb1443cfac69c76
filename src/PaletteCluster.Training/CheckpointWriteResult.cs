using System.Reflection;
using System.Runtime.ExceptionServices;

namespace PaletteCluster.Training;

/// <summary>How one checkpoint write went: its folder, how long it took, and its failure if it failed.</summary>
/// <param name="ManagedBytesAllocated">
/// Managed memory the writing thread allocated for it (the background writer runs while steps do, so it is kept small).
/// </param>
public sealed record CheckpointWriteResult(string Directory, TimeSpan WriteTime, long ManagedBytesAllocated, ExceptionDispatchInfo? Failure)
{
    public bool Succeeded => Failure is null;

    /// <summary>
    /// Rethrows a failure on the calling thread with the same exception type, its message naming the checkpoint
    /// folder (an IOException from the temp folder's file would not say which checkpoint it was).
    /// </summary>
    public void ThrowIfFailed()
    {
        if (Failure is null) return;
        var original = Failure.SourceException;
        if (!original.Message.Contains(Directory, StringComparison.Ordinal)
            && original.GetType().GetConstructor([typeof(string), typeof(Exception)]) is { } sameType)
        {
            Exception named;
            try
            {
                named = (Exception)sameType.Invoke([$"checkpoint {Directory} could not be written: {original.Message}", original]);
            }
            catch (TargetInvocationException)
            {
                Failure.Throw();
                throw; // not reached
            }
            throw named;
        }
        Failure.Throw();
    }
}
