using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Storage;

namespace PaletteCluster.Worker;

/// <summary>What <see cref="CheckpointCommitter.CommitAsync"/> did with one checkpoint.</summary>
/// <param name="Pointer">Where the checkpoint is durable (store reference, or the folder without a store); null when publishing failed.</param>
/// <param name="Committed">The job grain accepted it as its resume point (this checkpoint or a newer one).</param>
public sealed record CheckpointCommitOutcome(string? Pointer, bool Committed);

/// <summary>
/// Where a checkpoint is committed: the worker's half of a checkpoint's lifecycle (docs/checkpoint-format.md, "The
/// lifecycle of one checkpoint"). Given a complete local checkpoint folder, it publishes it to the checkpoint store
/// (<see cref="CheckpointPublisher"/>: verify, upload, manifest, "latest", retention) and only then commits its
/// pointer with one call, <see cref="IJobGrain.CommitCheckpoint"/>. A checkpoint that could not be published is
/// never committed. Without a store the local folder is committed as it is.
/// </summary>
public sealed class CheckpointCommitter(IJobGrain job, string workerId, CheckpointPublisher? publisher, ILogger logger)
{
    /// <summary>The newest checkpoint the job accepted from this committer (pointer and step); null if none.</summary>
    public (string Pointer, long Step)? LastCommitted { get; private set; }

    /// <summary>
    /// Publishes <paramref name="localCheckpoint"/> (step <paramref name="step"/>) when there is a store, then commits it
    /// on the job. Throws <see cref="BlobStoreUnavailableException"/> when the store stayed unreachable past its retry
    /// limit (an outage the caller waits out); other publish failures and refused or undelivered commits are logged and
    /// reported in the outcome.
    /// </summary>
    public async Task<CheckpointCommitOutcome> CommitAsync(string localCheckpoint, long step, CancellationToken cancel = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(localCheckpoint);
        var pointer = publisher is null ? localCheckpoint : await publisher.PublishAsync(localCheckpoint, step, cancel);
        if (pointer is null) return new CheckpointCommitOutcome(null, false); // the publisher logged why
        return new CheckpointCommitOutcome(pointer, await CommitPointerAsync(pointer, step, cancel));
    }

    private async Task<bool> CommitPointerAsync(string pointer, long step, CancellationToken cancel)
    {
        bool accepted;
        try
        {
            accepted = await GrainCallRetry.Default.Run(() => job.CommitCheckpoint(workerId, new CheckpointCommit(step, pointer)), cancel);
        }
        catch (Exception e) when (GrainCallRetry.IsTransient(e))
        {
            // The checkpoint stays durable; the next commit (or the release) names it or a newer one.
            logger.LogWarning("Checkpoint step {Step} is durable at {Pointer} but the job did not hear of it: {Error}", step, pointer, e.Message);
            return false;
        }
        if (!accepted)
        {
            logger.LogWarning("The job refused checkpoint step {Step} ({Pointer}): this worker no longer holds it, or the job is over", step, pointer);
            return false;
        }
        if (LastCommitted is not { } last || last.Step < step) LastCommitted = (pointer, step);
        logger.LogDebug("Checkpoint step {Step} committed ({Pointer})", step, pointer);
        return true;
    }
}
