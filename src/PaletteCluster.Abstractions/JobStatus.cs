namespace PaletteCluster.Abstractions;

/// <summary>A job as the API shows it. Version grows by one with every change, so watchers can poll cheaply.</summary>
[GenerateSerializer, Immutable]
public sealed record JobStatus
{
    [Id(0)] public required string JobId { get; init; }
    [Id(1)] public required JobSpec Spec { get; init; }
    [Id(2)] public JobState State { get; init; }
    [Id(3)] public long Step { get; init; }
    [Id(4)] public double? Loss { get; init; }
    [Id(5)] public double? LearningRate { get; init; }
    [Id(6)] public double? ImagesPerSecond { get; init; }
    /// <summary>Where the latest complete checkpoint is (a folder or blob prefix), and its step.</summary>
    [Id(7)] public string? Checkpoint { get; init; }
    [Id(8)] public long CheckpointStep { get; init; }
    /// <summary>Workers currently training the job.</summary>
    [Id(9)] public IReadOnlyList<string> Workers { get; init; } = [];
    /// <summary>Why the job failed, or the last error a worker reported.</summary>
    [Id(10)] public string? Error { get; init; }
    [Id(11)] public string? SampleGrid { get; init; }
    [Id(12)] public DateTimeOffset CreatedAt { get; init; }
    [Id(13)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(14)] public long Version { get; init; }
    /// <summary>While <see cref="JobState.Suspended"/>: what the job waits for, and since when (in the text).</summary>
    [Id(15)] public string? SuspendedBecause { get; init; }
}
