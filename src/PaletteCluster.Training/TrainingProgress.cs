namespace PaletteCluster.Training;

/// <summary>What a run reports every few steps (the CLI draws it; later the job grain records it).</summary>
public sealed record TrainingProgress(long Step, long TotalSteps, double Loss, double LearningRate, double ImagesPerSecond, string? CheckpointWritten,
    PaletteCluster.Data.DataPosition Position);
