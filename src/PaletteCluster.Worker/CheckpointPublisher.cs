using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaletteCluster.Storage;

namespace PaletteCluster.Worker;

/// <summary>
/// Publishes a job's local checkpoint folders to its checkpoint store and remembers the newest one published, for
/// the whole time a worker holds the job (across training segments interrupted by store outages).
/// </summary>
public sealed class CheckpointPublisher(CheckpointStore store, string jobId, ILogger logger)
{
    /// <summary>The newest checkpoint published (pointer and step); null if none was.</summary>
    public (string Pointer, long Step)? LastPublished { get; private set; }

    public string StoreDescription => store.Description;

    /// <summary>
    /// Uploads a local checkpoint (then retention) and returns its store reference, or null when it cannot be
    /// published for a reason a retry will not fix (damaged local copy, conflicting published step).
    /// Throws <see cref="BlobStoreUnavailableException"/> when the store stayed unreachable past the retry limit:
    /// that is an outage, which the caller waits out rather than losing the checkpoint.
    /// </summary>
    public async Task<string?> PublishAsync(string localCheckpoint, long step, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var published = await store.PublishAsync(localCheckpoint, step, cancel);
            logger.LogInformation("Checkpoint step {Step} published to the store in {Seconds:F3} s ({Bytes} bytes, {Files} files{Note})",
                step, clock.Elapsed.TotalSeconds, published.BytesUploaded, published.FilesUploaded, published.AlreadyPublished ? ", already there" : "");
            var pointer = StoreCheckpointRef.Format(jobId, step);
            if (LastPublished is not { } last || last.Step < step) LastPublished = (pointer, step);
            return pointer;
        }
        catch (BlobStoreUnavailableException)
        {
            throw;
        }
        catch (Exception e) when (e is BlobStoreException or IOException or InvalidDataException or InvalidOperationException)
        {
            // The job keeps naming the previous published checkpoint; the next checkpoint is tried anew.
            logger.LogError("Checkpoint step {Step} could not be published after {Seconds:F1} s: {Error}", step, clock.Elapsed.TotalSeconds, e.Message);
            return null;
        }
    }

    /// <summary>One quick question to the store (the "latest" pointer exists?): true when it answers within <paramref name="timeout"/>.</summary>
    public async Task<bool> IsReachableAsync(TimeSpan timeout, CancellationToken cancel)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        limit.CancelAfter(timeout);
        try
        {
            await store.ProbeAsync(limit.Token);
            return true;
        }
        catch (Exception e) when (!cancel.IsCancellationRequested && e is BlobStoreException or OperationCanceledException)
        {
            return false;
        }
    }
}
