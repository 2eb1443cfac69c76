using PaletteCluster.Data;

namespace PaletteCluster.Training;

/// <summary>
/// Where a run stands after a step, as callbacks report it (the CLI draws it, the job grain records it).
/// ImagesPerSecond is measured since the previous step whose progress was taken.
/// </summary>
public sealed record TrainingProgress(long Step, long TotalSteps, double Loss, double LearningRate, double ImagesPerSecond, DataPosition Position);
