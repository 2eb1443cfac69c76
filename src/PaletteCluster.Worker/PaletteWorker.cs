using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using static TorchSharp.torch;

namespace PaletteCluster.Worker;

/// <summary>
/// A worker's life: register, heartbeat, ask for work when idle, train what it is given, and on shutdown
/// checkpoint, release the job and deregister. Works the same co-hosted with a silo or as a cluster client.
/// </summary>
public sealed class PaletteWorker(IGrainFactory grains, WorkerOptions options, Device device, ILogger logger)
{
    private readonly JobExecution _execution = new(grains, options, device, logger);

    public async Task<int> Run(CancellationToken shutdown)
    {
        var retry = GrainCallRetry.Default;
        var self = grains.GetGrain<IWorkerGrain>(options.WorkerId);
        var directory = grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);
        var execution = _execution;
        string? currentJob = null;

        await retry.Run(() => self.Register(WorkerInventoryProbe.Probe(device)), shutdown);
        // A new process holds no job: a job a previous process under this id was training must not wait for it.
        var orphaned = await retry.Run(() => directory.ReleaseJobsOf(options.WorkerId,
            $"worker {options.WorkerId} restarted (registered again) while holding the job"), shutdown);
        if (orphaned.Count > 0)
            logger.LogWarning("Worker {Worker} restarted while holding job(s) {Jobs}; handed back", options.WorkerId, string.Join(", ", orphaned));
        logger.LogInformation("Worker {Worker} registered ({Device})", options.WorkerId, device);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeats = HeartbeatLoop(self, () => currentJob, execution, heartbeatStop.Token);

        int jobsDone = 0;
        try
        {
            while (!shutdown.IsCancellationRequested && (options.MaxJobs == 0 || jobsDone < options.MaxJobs))
            {
                Assignment? work;
                try
                {
                    work = await retry.Run(() => directory.RequestWork(options.WorkerId), shutdown);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Cannot ask the cluster for work ({Error}); retrying", e.Message);
                    work = null;
                }
                if (work is null)
                {
                    await Task.Delay(options.PollInterval, shutdown);
                    continue;
                }
                currentJob = work.JobId;
                try
                {
                    await execution.Run(work, shutdown);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The job's end could not be reported even after minutes of retries (cluster unreachable). Stay up
                    // and ask for work again rather than die; an operator sees the error here and on `palette status`.
                    logger.LogError("Job {Job}: could not report its end to the cluster: {Error}", work.JobId, e.Message);
                }
                currentJob = null;
                jobsDone++;
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested) { }
        finally
        {
            heartbeatStop.Cancel();
            await heartbeats;
            try { await retry.Run(() => self.Deregister()); }
            catch (Exception e) when (GrainCallRetry.IsTransient(e)) { logger.LogWarning("Could not deregister: {Error}", e.Message); }
            logger.LogInformation("Worker {Worker} stopped after {Jobs} job(s)", options.WorkerId, jobsDone);
        }
        return jobsDone;
    }

    private async Task HeartbeatLoop(IWorkerGrain self, Func<string?> currentJob, JobExecution execution, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var latest = execution.Reporter?.Latest;
                // Wait at most one interval: a call caught in a dying silo must not hold back the next heartbeat, which
                // goes to the grain's new home (a late answer to this one is simply ignored).
                var beat = self.Heartbeat(new WorkerHeartbeat(currentJob(), latest?.Step ?? 0, latest?.ImagesPerSecond ?? 0));
                try { await beat.WaitAsync(options.HeartbeatInterval, stop); }
                catch (TimeoutException) { logger.LogWarning("Heartbeat unanswered after {Seconds:F1} s; sending the next one", options.HeartbeatInterval.TotalSeconds); ObserveLater(beat); }
                // A missed heartbeat must never stop training: the next one is a few seconds away.
                catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning("Heartbeat failed: {Error}", e.Message); }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Lets an abandoned call finish in the background, logging rather than losing its failure.</summary>
    private void ObserveLater(Task call) =>
        call.ContinueWith(t => logger.LogDebug("Late heartbeat failed: {Error}", t.Exception?.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
