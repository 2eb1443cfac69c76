namespace PaletteCluster.Training;

/// <summary>What a run reports every few steps (the CLI draws it; later the job grain records it).</summary>
/// <param name="CheckpointWritten">
/// Set on the report of a checkpoint step, which is made once that checkpoint is complete on disk. Checkpoints are
/// written in the background, so such a report can arrive after reports of later steps (see TrainingRun.Run);
/// its Step, Loss, LearningRate and Position are those of the checkpoint.
/// </param>
public sealed record TrainingProgress(long Step, long TotalSteps, double Loss, double LearningRate, double ImagesPerSecond, string? CheckpointWritten,
    PaletteCluster.Data.DataPosition Position);
