namespace PaletteCluster.Abstractions;

/// <summary>Work handed to a worker: the job, and the checkpoint to resume from (null: start fresh).</summary>
[GenerateSerializer, Immutable]
public sealed record Assignment(
    [property: Id(0)] string JobId,
    [property: Id(1)] JobSpec Spec,
    [property: Id(2)] string? Checkpoint,
    [property: Id(3)] long CheckpointStep);

/// <summary>
/// What a worker reports every few steps: metrics only. Checkpoints reach the job through
/// <see cref="IJobGrain.CommitCheckpoint"/>, never through a report (ids 4 and 5 once carried one; do not reuse them).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProgressReport(
    [property: Id(0)] long Step,
    [property: Id(1)] double Loss,
    [property: Id(2)] double LearningRate,
    [property: Id(3)] double ImagesPerSecond);

/// <summary>The job's answer to a progress report.</summary>
public enum WorkerDirective
{
    /// <summary>Keep training.</summary>
    Continue = 0,
    /// <summary>Checkpoint, release the job and go idle (the job was paused or cancelled, or given to another worker).</summary>
    Stop = 1,
}

/// <summary>A worker's final word on a job it trained to the end.</summary>
[GenerateSerializer, Immutable]
public sealed record CompletionReport(
    [property: Id(0)] long Step,
    [property: Id(1)] string? Checkpoint,
    [property: Id(2)] string? SampleGrid);
