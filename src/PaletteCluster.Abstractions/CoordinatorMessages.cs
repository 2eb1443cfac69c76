namespace PaletteCluster.Abstractions;

/// <summary>
/// A worker's place in a job's training group. With one worker this is rank 0 of 1; multi-worker rounds
/// (parameter averaging, roadmap) extend it without changing the shape. Where the group resumes is the job's
/// checkpoint pointer (<see cref="JobStatus.Checkpoint"/>), not a copy here (ids 2 to 4 once held one; do not reuse them).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GroupMembership(
    [property: Id(0)] int Rank,
    [property: Id(1)] int WorldSize);
