using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Storage;

namespace PaletteCluster.Worker;

/// <summary>
/// Waits out a checkpoint-store outage while holding the job: suspends the job (its status says why and since
/// when), asks the store every few seconds whether it answers again, then runs the interrupted store operation
/// once more and lets the job run. Nothing is published or pointed at meanwhile, so the job's pointer keeps naming
/// a complete checkpoint. If the job is paused, cancelled or taken away while it waits, the wait ends with
/// <see cref="JobWithdrawnException"/>.
/// </summary>
public sealed class StoreOutageWait(IJobGrain job, string workerId, CheckpointPublisher publisher, TimeSpan probeInterval,
    TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Runs <paramref name="operation"/>; while it fails with <see cref="BlobStoreUnavailableException"/> (or at once,
    /// when <paramref name="knownOutage"/> says the store was already found unreachable), the job is suspended until
    /// the store answers. <paramref name="what"/> says what the operation does, for the job's status.
    /// </summary>
    public async Task<T> Run<T>(string what, Func<Task<T>> operation, CancellationToken shutdown, string? knownOutage = null)
    {
        var error = knownOutage;
        DateTimeOffset? since = null;
        while (true)
        {
            if (error is not null)
            {
                if (since is null)
                {
                    since = time.GetUtcNow();
                    var reason = $"checkpoint store {publisher.StoreDescription} unreachable since {since:yyyy-MM-dd HH:mm:ss} UTC while {what} " +
                                 $"({error}); the job resumes by itself when the store answers";
                    await GrainCallRetry.Default.Run(() => job.Suspend(workerId, reason), shutdown);
                    logger.LogWarning("Job suspended: {Reason}", reason);
                }
                await WaitUntilReachable(shutdown);
            }
            try
            {
                var result = await operation();
                if (since is not null)
                {
                    if (await GrainCallRetry.Default.Run(() => job.Unsuspend(workerId), shutdown) == WorkerDirective.Stop)
                        throw new JobWithdrawnException("the job was paused, cancelled or reassigned while it waited for the checkpoint store");
                    logger.LogInformation("Checkpoint store {Store} answers again after {Seconds:F1} s; the job runs again",
                        publisher.StoreDescription, (time.GetUtcNow() - since.Value).TotalSeconds);
                }
                return result;
            }
            catch (BlobStoreUnavailableException e)
            {
                error = e.Message;
            }
        }
    }

    private async Task WaitUntilReachable(CancellationToken shutdown)
    {
        while (true)
        {
            var status = await GrainCallRetry.Default.Run(() => job.GetStatus(), shutdown);
            if (status is not { State: JobState.Suspended } || !status.Workers.Contains(workerId))
                throw new JobWithdrawnException($"the job is {status?.State.ToString().ToLowerInvariant() ?? "gone"} now; it no longer waits for this worker");
            if (await publisher.IsReachableAsync(probeInterval, shutdown)) return;
            await Task.Delay(probeInterval, time, shutdown);
        }
    }
}

/// <summary>The job stopped being this worker's while the worker waited for something (paused, cancelled, reassigned).</summary>
public sealed class JobWithdrawnException(string message) : Exception(message);
