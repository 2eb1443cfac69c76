namespace PaletteCluster.Abstractions;

/// <summary>
/// What a user submits: the data, the task mix and the training recipe of one job. Field names match the job
/// spec file's keys (snake_case there). Defaults are the Palette recipe scaled for a CPU demo where noted.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JobSpec
{
    /// <summary>A human name; the job id is derived from it when the user gives none.</summary>
    [Id(0)] public string Name { get; init; } = "";
    /// <summary>Image folder or shard folder (palette shards build), visible to every worker.</summary>
    [Id(1)] public string Data { get; init; } = "";
    /// <summary>Task spec: one task, a weighted mix ("inpainting:2,colorization:1") or "all".</summary>
    [Id(2)] public string Task { get; init; } = "colorization";
    [Id(3)] public string Preset { get; init; } = "tiny";
    [Id(4)] public int ImageSize { get; init; } = 64;
    [Id(5)] public int BatchSize { get; init; } = 8;
    /// <summary>Total optimizer steps.</summary>
    [Id(6)] public long Steps { get; init; } = 1000;
    [Id(7)] public long Seed { get; init; }
    [Id(8)] public double LearningRate { get; init; } = 1e-4;
    [Id(9)] public long WarmupSteps { get; init; } = 10_000;
    [Id(10)] public double? GradClip { get; init; }
    [Id(11)] public double EmaDecay { get; init; } = 0.9999;
    /// <summary>l1 or l2.</summary>
    [Id(12)] public string Loss { get; init; } = "l1";
    [Id(13)] public string Schedule { get; init; } = "linear:2000:1e-6:0.01";
    /// <summary>fp32 or bf16.</summary>
    [Id(14)] public string Precision { get; init; } = "fp32";
    [Id(15)] public double Dropout { get; init; }
    [Id(16)] public long CheckpointEvery { get; init; } = 1000;
    /// <summary>Steps between progress reports to the job grain.</summary>
    [Id(17)] public int ReportEvery { get; init; } = 10;
    /// <summary>Images in the sample grid written when the job completes (0: none).</summary>
    [Id(18)] public int Samples { get; init; } = 8;
    /// <summary>Workers the job wants; one until multi-worker averaging lands (roadmap).</summary>
    [Id(19)] public int Workers { get; init; } = 1;
}
