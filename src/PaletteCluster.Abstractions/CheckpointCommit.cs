namespace PaletteCluster.Abstractions;

/// <summary>
/// A checkpoint a worker made durable (published to the checkpoint store, or written to a shared folder without
/// one), committed as the job's resume point with <see cref="IJobGrain.CommitCheckpoint"/>. Small metadata only:
/// everything needed to resume (data position, RNG, optimizer) is inside the checkpoint itself.
/// </summary>
/// <param name="Step">The training step the checkpoint was taken at.</param>
/// <param name="Pointer">Where it is: "store:&lt;job&gt;/step-NNNNNNNN" or a folder path.</param>
[GenerateSerializer, Immutable]
public sealed record CheckpointCommit(
    [property: Id(0)] long Step,
    [property: Id(1)] string Pointer);
