namespace PaletteCluster.Abstractions;

/// <summary>
/// A worker's place in a job's training group. With one worker this is rank 0 of 1; multi-worker rounds
/// (parameter averaging, roadmap) extend it without changing the shape.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GroupMembership(
    [property: Id(0)] int Rank,
    [property: Id(1)] int WorldSize,
    [property: Id(2)] long Round,
    /// <summary>The latest committed global checkpoint and its step (null: none yet).</summary>
    [property: Id(3)] string? Checkpoint,
    [property: Id(4)] long CheckpointStep);
