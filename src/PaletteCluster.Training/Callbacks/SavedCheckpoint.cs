using PaletteCluster.Data;

namespace PaletteCluster.Training.Callbacks;

/// <summary>A checkpoint complete on disk.</summary>
/// <param name="Progress">
/// The progress of its step, loss included; null for a checkpoint written when the run was stopped, where no loss
/// was read (callers that must hear of it find it in <see cref="TrainingRun.Result.LastCheckpoint"/>).
/// </param>
public sealed record SavedCheckpoint(string Directory, long Step, DataPosition Position, TrainingProgress? Progress);
