using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Checkpoints;
using PaletteCluster.Data.Shards;
using PaletteCluster.Storage;
using PaletteCluster.Training;
using static TorchSharp.torch;

namespace PaletteCluster.Worker;

/// <summary>
/// Trains one assignment: joins the job's group, leases its shards, runs the trainer on a dedicated thread with
/// progress flowing to the job grain, and tells the job how it ended (completed, released, or failed).
/// With a checkpoint store it first restores the job's latest checkpoint from the store, and publishes the final
/// checkpoint before reporting it.
/// </summary>
public sealed class JobExecution(IGrainFactory grains, WorkerOptions options, Device device, ILogger logger)
{
    /// <summary>The running job's latest progress (for heartbeats); null when idle.</summary>
    public ClusterProgressReporter? Reporter { get; private set; }

    public async Task Run(Assignment assignment, CancellationToken shutdown)
    {
        var job = grains.GetGrain<IJobGrain>(assignment.JobId);
        var coordinator = grains.GetGrain<ICoordinatorGrain>(assignment.JobId);
        var retry = GrainCallRetry.Default;
        // How a job ended must reach it, or it stays Running with a live (heartbeating) worker: keep trying for minutes.
        var patient = new GrainCallRetry(Attempts: 40, MaxDelay: TimeSpan.FromSeconds(10));
        logger.LogInformation("Worker {Worker} took job {Job} at checkpoint step {Step}", options.WorkerId, assignment.JobId, assignment.CheckpointStep);

        TrainingRun.Result? result = null;
        string? failure = null;
        // What Complete/Release name: the local folder without a store, else the newest checkpoint in the store.
        string? finalCheckpoint = assignment.Checkpoint;
        long finalStep = assignment.CheckpointStep;
        var store = options.CheckpointsOf(assignment.JobId, assignment.Spec.Recipe.CheckpointEvery, logger);
        var publisher = store is null ? null : new CheckpointPublisher(store, assignment.JobId, logger);
        var outage = publisher is null ? null
            : new StoreOutageWait(job, options.WorkerId, publisher, options.StoreProbeInterval, TimeProvider.System, logger);
        try
        {
            var config = JobSpecMapping.ToTrainConfig(assignment.Spec);
            config.Validate();
            // A shard set in a blob store is trained from a verified local copy (only changed shards are downloaded).
            var data = await ShardDataLocation.ResolveAsync(assignment.Spec.Data, options.DataCacheRoot, logger, cancellationToken: shutdown);
            if (data != assignment.Spec.Data)
            {
                logger.LogInformation("Job {Job}: data {Store} is in {Cache}", assignment.JobId, assignment.Spec.Data, data);
                assignment = assignment with { Spec = assignment.Spec with { Data = data } };
            }
            var resumeFrom = outage is null
                ? await ResumePoint(assignment, null, shutdown)
                : await outage.Run("restoring the latest checkpoint", () => ResumePoint(assignment, store, shutdown), shutdown);
            if (resumeFrom is not null)
                StaleCheckpoints.DiscardAfter(JobSpecMapping.ToRunOptions(assignment, options).CheckpointsDir, resumeFrom, logger);
            await retry.Run(() => coordinator.Join(options.WorkerId), shutdown);
            await using var leases = await ShardLeaseSet.Acquire(grains, assignment.JobId, assignment.Spec.Data, options.WorkerId, options.LeaseDuration, logger, shutdown);
            while (true)
            {
                string? storeLost;
                TrainingProgress? latest;
                await using (var reporter = Reporter = new ClusterProgressReporter(job, coordinator, leases, options.WorkerId, logger, publisher))
                {
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown, reporter.StopRequested, reporter.StoreLost);
                    var run = new TrainingRun(config, JobSpecMapping.ToRunOptions(assignment, options) with { ResumeFrom = resumeFrom }, device, logger);
                    // Training blocks its thread for the whole run; keep it off the thread pool Orleans uses.
                    result = await Task.Factory.StartNew(() => run.Run(reporter, stop.Token), CancellationToken.None,
                        TaskCreationOptions.LongRunning, TaskScheduler.Default);
                    await reporter.DisposeAsync(); // drain: checkpoints reported during training are published (and reported) first
                    storeLost = reporter.StoreLost.IsCancellationRequested && !reporter.StopRequested.IsCancellationRequested
                        && !shutdown.IsCancellationRequested ? reporter.StoreLostReason : null;
                    latest = reporter.Latest;
                }
                (finalCheckpoint, finalStep) = (result.LastCheckpoint, result.Step);
                if (publisher is null || result.LastCheckpoint is null) break;

                // Usually already published by the reporter (then this only compares manifests); not so for a stop's
                // checkpoint. Past the retry limit the job is suspended here until the store is back.
                var local = result.LastCheckpoint;
                var pointer = await outage!.Run($"publishing checkpoint step {result.Step}", () => publisher.PublishAsync(local, result.Step, shutdown),
                    shutdown, knownOutage: storeLost);
                if (pointer is not null && storeLost is not null && result.Cancelled)
                {
                    await ReportPublished(job, coordinator, latest, result.Step, pointer);
                    resumeFrom = local; // the store is back: train on from the checkpoint just published
                    logger.LogInformation("Job {Job}: continuing from step {Step} after the store outage", assignment.JobId, result.Step);
                    continue;
                }
                if (pointer is not null)
                    finalCheckpoint = pointer;
                else
                {
                    // A local path is useless to other workers: hand the job back at the newest checkpoint they can reach.
                    (finalCheckpoint, finalStep) = publisher.LastPublished is { } last ? (last.Pointer, last.Step) : (assignment.Checkpoint, assignment.CheckpointStep);
                    result = result with { Cancelled = true };
                    logger.LogError("Job {Job}: final checkpoint step {Step} is not in the store; releasing the job at step {Published}",
                        assignment.JobId, result.Step, finalStep);
                }
                break;
            }
        }
        catch (JobWithdrawnException e)
        {
            logger.LogInformation("Job {Job}: {Reason}; releasing it", assignment.JobId, e.Message);
            (finalCheckpoint, finalStep) = publisher?.LastPublished is { } last ? (last.Pointer, last.Step) : (assignment.Checkpoint, assignment.CheckpointStep);
            result = null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or CheckpointException or IOException or BlobStoreException or ShardIntegrityException)
        {
            failure = e.Message; // expected: bad data, bad settings, diverged, unreadable checkpoint, a store refuses or is unreachable
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Stopped while leasing shards or waiting for the store: hand back the newest checkpoint others can reach.
            if (publisher?.LastPublished is { } last) (finalCheckpoint, finalStep) = (last.Pointer, last.Step);
            result = null;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {Job} crashed on worker {Worker}", assignment.JobId, options.WorkerId);
            failure = $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            Reporter = null;
        }

        if (failure is not null)
        {
            logger.LogError("Job {Job} failed: {Error}", assignment.JobId, failure);
            await retry.Run(() => grains.GetGrain<IWorkerGrain>(options.WorkerId).ReportError(failure));
            await patient.Run(() => job.Fail(options.WorkerId, failure));
        }
        else if (result is { Cancelled: false })
        {
            await patient.Run(() => job.Complete(options.WorkerId, new CompletionReport(result.Step, finalCheckpoint, result.SampleGrid)));
            logger.LogInformation("Job {Job} completed at step {Step} ({Rate:F2} steps/s)", assignment.JobId, result.Step,
                result.StepsRun / Math.Max(result.TrainingSeconds, 1e-9));
        }
        else
        {
            await patient.Run(() => job.Release(options.WorkerId, finalCheckpoint, finalStep));
            logger.LogInformation("Released job {Job} at checkpoint step {Step}", assignment.JobId, finalStep);
        }
        await retry.Run(() => coordinator.Leave(options.WorkerId));
    }

    /// <summary>
    /// Makes a checkpoint published after an outage the job's newest (the reporter does this for checkpoints
    /// published during training), so a node lost from here on costs no more than the steps after it.
    /// </summary>
    private async Task ReportPublished(IJobGrain job, ICoordinatorGrain coordinator, TrainingProgress? latest, long step, string pointer)
    {
        await GrainCallRetry.Default.Run(() => coordinator.CommitRound(options.WorkerId, step, pointer));
        if (latest is null) return; // nothing trained since the outage began: the job already names this step's predecessor
        await GrainCallRetry.Default.Run(() => job.ReportProgress(options.WorkerId,
            new ProgressReport(Math.Max(step, latest.Step), latest.Loss, latest.LearningRate, latest.ImagesPerSecond, pointer, step)));
    }

    /// <summary>
    /// The checkpoint folder to resume from. Without a store: the job's pointer as it is. With one: the store's
    /// latest complete checkpoint, downloaded into this worker's own job folder (nothing else is shared).
    /// </summary>
    private async Task<string?> ResumePoint(Assignment assignment, CheckpointStore? store, CancellationToken cancel)
    {
        if (store is null)
        {
            if (StoreCheckpointRef.IsStoreRef(assignment.Checkpoint))
                throw new ArgumentException($"job {assignment.JobId} resumes from {assignment.Checkpoint}, which is in a checkpoint store; start this worker with --checkpoint-store");
            return assignment.Checkpoint;
        }
        var local = Path.Combine(options.JobFolder(assignment.JobId), "checkpoints");
        Directory.CreateDirectory(local);
        var clock = Stopwatch.StartNew();
        var restored = await store.RestoreLatestAsync(local, cancel);
        if (restored.Rejected.Count > 0)
            logger.LogWarning("Job {Job}: skipped damaged checkpoints in the store: {Rejected}", assignment.JobId,
                string.Join("; ", restored.Rejected.Select(r => $"step {r.Step} ({r.Reason})")));
        if (restored.Directory is not null)
        {
            logger.LogInformation("Job {Job}: restored checkpoint step {Step} from the store in {Seconds:F2} s (the job named step {Named})",
                assignment.JobId, restored.Step, clock.Elapsed.TotalSeconds, assignment.CheckpointStep);
            return restored.Directory;
        }
        // A job from before the store was configured may still point at a folder on shared storage.
        if (assignment.Checkpoint is { } path && !StoreCheckpointRef.IsStoreRef(path) && Directory.Exists(path))
            return path;
        if (assignment.CheckpointStep > 0)
            throw new InvalidDataException($"job {assignment.JobId} is at checkpoint step {assignment.CheckpointStep} ({assignment.Checkpoint}) " +
                $"but the checkpoint store has no usable checkpoint for it" +
                (restored.Rejected.Count > 0 ? $" ({restored.Rejected.Count} damaged: {string.Join("; ", restored.Rejected.Select(r => r.Reason))})" : "") +
                "; refusing to restart it from scratch");
        return null;
    }
}
