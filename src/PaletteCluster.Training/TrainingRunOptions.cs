using PaletteCluster.Recipes;

namespace PaletteCluster.Training;

/// <summary>How a local run is driven (not part of the trajectory, so not stored as config).</summary>
public sealed record TrainingRunOptions
{
    public required string DataDir { get; init; }
    public required string RunDir { get; init; }
    /// <summary>Train until this many optimizer steps are done in total (across resumes).</summary>
    public required long TotalSteps { get; init; }
    public long CheckpointEvery { get; init; } = 1000;
    /// <summary>Steps between progress reports (the recipe's <c>ReportEvery</c>).</summary>
    public int ReportEvery { get; init; } = 10;
    /// <summary>Continue from the run folder's latest checkpoint, if any, with the config stored there.</summary>
    public bool Resume { get; init; }
    /// <summary>Resume from this checkpoint folder rather than the run folder's latest (the job grain's pointer).</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>Images in the sample grid written at the end (0 = none).</summary>
    public int Samples { get; init; } = 8;
    public int FinalSampleSteps { get; init; } = 50;
    /// <summary>
    /// Write every checkpoint on the training thread, as before background writes existed (for comparison). The CLI
    /// sets it from PALETTE_SYNC_CHECKPOINTS=1.
    /// </summary>
    public bool SynchronousCheckpoints { get; init; }
    /// <summary>
    /// Batches made ahead on a background thread (0 = on the training thread); null = the device's default
    /// (<see cref="Runtime.PrefetchDepthDefault"/>). Does not change the data stream or the trajectory.
    /// </summary>
    public int? PrefetchDepth { get; init; }

    public const int MaxPrefetchDepth = 16;

    /// <summary>The run cadence of <paramref name="recipe"/> (steps, checkpoint and report intervals, samples).</summary>
    public static TrainingRunOptions For(TrainingRecipe recipe, string dataDir, string runDir) => new()
    {
        DataDir = dataDir, RunDir = runDir, TotalSteps = recipe.Steps, CheckpointEvery = recipe.CheckpointEvery,
        ReportEvery = recipe.ReportEvery, Samples = recipe.Samples,
    };

    public string CheckpointsDir => Path.Combine(RunDir, "checkpoints");

    public void Validate()
    {
        if (TotalSteps < 1) throw new ArgumentException($"steps: must be at least 1, got {TotalSteps}");
        if (CheckpointEvery < 1) throw new ArgumentException($"checkpoint-every: must be at least 1, got {CheckpointEvery}");
        if (ReportEvery < 1) throw new ArgumentException($"report_every: must be at least 1, got {ReportEvery}");
        if (PrefetchDepth is < 0 or > MaxPrefetchDepth) throw new ArgumentException($"prefetch: must be 0 to {MaxPrefetchDepth}, got {PrefetchDepth}");
        if (Samples < 0) throw new ArgumentException($"samples: must be >= 0, got {Samples}");
    }
}
