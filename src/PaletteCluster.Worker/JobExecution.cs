using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.CheckpointFormat;
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

    /// <summary>The job being trained and where its checkpoints go (a store, through a publisher that waits out outages).</summary>
    private sealed record Job(Assignment Assignment, IJobGrain Grain, ICoordinatorGrain Coordinator, CheckpointStore? Store,
        CheckpointPublisher? Publisher, CheckpointCommitter Committer, StoreOutageWait? Outage);

    /// <summary>
    /// How an assignment ended: a failure, or the run's result (null: handed back without one) and the checkpoint to
    /// name (the local folder without a store, else the newest checkpoint in the store).
    /// </summary>
    private sealed record Ending(TrainingRun.Result? Result, string? Checkpoint, long Step, string? Failure = null);

    /// <summary>One training run of the job, and what the reporter saw of it.</summary>
    private sealed record Attempt(TrainingRun.Result Result, string? StoreLost);

    public async Task Run(Assignment assignment, CancellationToken shutdown)
    {
        logger.LogInformation("Worker {Worker} took job {Job} at checkpoint step {Step}", options.WorkerId, assignment.JobId, assignment.CheckpointStep);
        var job = Open(assignment);
        var ending = await TrainToAnEnd(job, shutdown);
        await ReportEnd(job, ending);
        await GrainCallRetry.Default.Run(() => job.Coordinator.Leave(options.WorkerId));
    }

    private Job Open(Assignment assignment)
    {
        var grain = grains.GetGrain<IJobGrain>(assignment.JobId);
        var store = options.CheckpointsOf(assignment.JobId, assignment.Spec.Recipe.CheckpointEvery, logger);
        var publisher = store is null ? null : new CheckpointPublisher(store, assignment.JobId, logger);
        var committer = new CheckpointCommitter(grain, options.WorkerId, publisher, logger);
        var outage = publisher is null ? null
            : new StoreOutageWait(grain, options.WorkerId, publisher, options.StoreProbeInterval, TimeProvider.System, logger);
        return new Job(assignment, grain, grains.GetGrain<ICoordinatorGrain>(assignment.JobId), store, publisher, committer, outage);
    }

    /// <summary>Trains the job, turning every way it can end (withdrawn, failed, shut down) into an <see cref="Ending"/>.</summary>
    private async Task<Ending> TrainToAnEnd(Job job, CancellationToken shutdown)
    {
        try
        {
            return await Train(job, shutdown);
        }
        catch (JobWithdrawnException e)
        {
            logger.LogInformation("Job {Job}: {Reason}; releasing it", job.Assignment.JobId, e.Message);
            return Released(job);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or CheckpointException or IOException or BlobStoreException or ShardIntegrityException)
        {
            return Failed(job, e.Message); // expected: bad data, bad settings, diverged, unreadable checkpoint, a store refuses or is unreachable
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            return Released(job); // stopped while leasing shards or waiting for the store
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {Job} crashed on worker {Worker}", job.Assignment.JobId, options.WorkerId);
            return Failed(job, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            Reporter = null;
        }
    }

    private async Task<Ending> Train(Job job, CancellationToken shutdown)
    {
        // Validated at submit; the trainer holds it to the same rules again when it is built.
        var config = JobSpecMapping.ToTrainConfig(job.Assignment.Spec);
        job = await WithLocalData(job, shutdown);
        var resumeFrom = await Restore(job, shutdown);
        await GrainCallRetry.Default.Run(() => job.Coordinator.Join(options.WorkerId), shutdown);
        // The shards stay leased (and renewed) while this job trains here.
        await using var leases = await ShardLeaseSet.Acquire(grains, job.Assignment.JobId, job.Assignment.Spec.Data, options.WorkerId, options.LeaseDuration, logger, shutdown);
        while (true)
        {
            var attempt = await TrainOnce(job, config, resumeFrom, shutdown);
            var result = attempt.Result;
            if (job.Publisher is null || result.LastCheckpoint is null) return new Ending(result, result.LastCheckpoint, result.Step);

            // Usually already committed by the reporter (then publishing only compares manifests); not so for a stop's
            // checkpoint. Past the retry limit the job is suspended here until the store is back.
            var local = result.LastCheckpoint;
            var committed = await job.Outage!.Run($"publishing checkpoint step {result.Step}", () => job.Committer.CommitAsync(local, result.Step, shutdown),
                shutdown, knownOutage: attempt.StoreLost);
            if (committed.Pointer is not { } pointer) return Unpublished(job, result);
            if (attempt.StoreLost is null || !result.Cancelled) return new Ending(result, pointer, result.Step);

            resumeFrom = local; // the store is back: train on from the checkpoint just published and committed
            logger.LogInformation("Job {Job}: continuing from step {Step} after the store outage", job.Assignment.JobId, result.Step);
        }
    }

    /// <summary>A shard set in a blob store is trained from a verified local copy (only changed shards are downloaded).</summary>
    private async Task<Job> WithLocalData(Job job, CancellationToken shutdown)
    {
        var spec = job.Assignment.Spec;
        var data = await ShardDataLocation.ResolveAsync(spec.Data, options.DataCacheRoot, logger, cancellationToken: shutdown);
        if (data == spec.Data) return job;
        logger.LogInformation("Job {Job}: data {Store} is in {Cache}", job.Assignment.JobId, spec.Data, data);
        return job with { Assignment = job.Assignment with { Spec = spec with { Data = data } } };
    }

    /// <summary>The checkpoint to resume from (null: a fresh start); local checkpoints newer than it are discarded.</summary>
    private async Task<string?> Restore(Job job, CancellationToken shutdown)
    {
        var resumeFrom = job.Outage is null
            ? await ResumePoint(job.Assignment, null, shutdown)
            : await job.Outage.Run("restoring the latest checkpoint", () => ResumePoint(job.Assignment, job.Store, shutdown), shutdown);
        if (resumeFrom is not null)
            StaleCheckpoints.DiscardAfter(JobSpecMapping.ToRunOptions(job.Assignment, options).CheckpointsDir, resumeFrom, logger);
        return resumeFrom;
    }

    /// <summary>One training run, its progress going to the job through the reporter (a callback of the run).</summary>
    private async Task<Attempt> TrainOnce(Job job, TrainConfig config, string? resumeFrom, CancellationToken shutdown)
    {
        await using var reporter = Reporter = new ClusterProgressReporter(job.Grain, options.WorkerId, logger, job.Committer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown, reporter.StopRequested, reporter.StoreLost);
        var run = new TrainingRun(config, JobSpecMapping.ToRunOptions(job.Assignment, options) with { ResumeFrom = resumeFrom }, device, logger);
        // Training blocks its thread for the whole run; keep it off the thread pool Orleans uses.
        var result = await Task.Factory.StartNew(() => run.Run([reporter], stop.Token), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await reporter.DisposeAsync(); // drain: checkpoints reported during training are published (and committed) first
        var storeLost = reporter.StoreLost.IsCancellationRequested && !reporter.StopRequested.IsCancellationRequested
            && !shutdown.IsCancellationRequested ? reporter.StoreLostReason : null;
        return new Attempt(result, storeLost);
    }

    /// <summary>A local path is useless to other workers: hand the job back at the newest checkpoint they can reach.</summary>
    private Ending Unpublished(Job job, TrainingRun.Result result)
    {
        var released = Released(job);
        logger.LogError("Job {Job}: final checkpoint step {Step} is not in the store; releasing the job at step {Published}",
            job.Assignment.JobId, result.Step, released.Step);
        return released with { Result = result with { Cancelled = true } };
    }

    /// <summary>Handed back, naming the newest checkpoint other workers can reach.</summary>
    private static Ending Released(Job job) =>
        job.Publisher?.LastPublished is { } last
            ? new Ending(null, last.Pointer, last.Step)
            : new Ending(null, job.Assignment.Checkpoint, job.Assignment.CheckpointStep);

    private static Ending Failed(Job job, string failure) => new(null, job.Assignment.Checkpoint, job.Assignment.CheckpointStep, failure);

    /// <summary>Tells the job how it ended. It must hear, or it stays Running with a live (heartbeating) worker: keep trying for minutes.</summary>
    private async Task ReportEnd(Job job, Ending ending)
    {
        var patient = new GrainCallRetry(Attempts: 40, MaxDelay: TimeSpan.FromSeconds(10));
        var jobId = job.Assignment.JobId;
        if (ending.Failure is { } failure)
        {
            logger.LogError("Job {Job} failed: {Error}", jobId, failure);
            await GrainCallRetry.Default.Run(() => grains.GetGrain<IWorkerGrain>(options.WorkerId).ReportError(failure));
            await patient.Run(() => job.Grain.Fail(options.WorkerId, failure));
        }
        else if (ending.Result is { Cancelled: false } result)
        {
            await patient.Run(() => job.Grain.Complete(options.WorkerId, new CompletionReport(result.Step, ending.Checkpoint, result.SampleGrid)));
            logger.LogInformation("Job {Job} completed at step {Step} ({Rate:F2} steps/s)", jobId, result.Step,
                result.StepsRun / Math.Max(result.TrainingSeconds, 1e-9));
        }
        else
        {
            await patient.Run(() => job.Grain.Release(options.WorkerId, ending.Checkpoint, ending.Step));
            logger.LogInformation("Released job {Job} at checkpoint step {Step}", jobId, ending.Step);
        }
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
