using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Checkpoints;
using PaletteCluster.Training;
using static TorchSharp.torch;

namespace PaletteCluster.Worker;

/// <summary>
/// Trains one assignment: joins the job's group, leases its shards, runs the trainer on a dedicated thread with
/// progress flowing to the job grain, and tells the job how it ended (completed, released, or failed).
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
        try
        {
            var config = JobSpecMapping.ToTrainConfig(assignment.Spec);
            config.Validate();
            var runOptions = JobSpecMapping.ToRunOptions(assignment, options);
            await retry.Run(() => coordinator.Join(options.WorkerId), shutdown);
            await using var leases = await ShardLeaseSet.Acquire(grains, assignment.JobId, assignment.Spec.Data, options.WorkerId, options.LeaseDuration, logger, shutdown);
            await using var reporter = Reporter = new ClusterProgressReporter(job, coordinator, leases, options.WorkerId, logger);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown, reporter.StopRequested);
            var run = new TrainingRun(config, runOptions, device, logger);
            // Training blocks its thread for the whole run; keep it off the thread pool Orleans uses.
            result = await Task.Factory.StartNew(() => run.Run(reporter, stop.Token), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or CheckpointException or IOException)
        {
            failure = e.Message; // expected: bad data, bad settings, diverged, unreadable checkpoint
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Stopped while leasing shards, before any step: nothing to save.
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
            await patient.Run(() => job.Complete(options.WorkerId, new CompletionReport(result.Step, result.LastCheckpoint, result.SampleGrid)));
            logger.LogInformation("Job {Job} completed at step {Step} ({Rate:F2} steps/s)", assignment.JobId, result.Step,
                result.StepsRun / Math.Max(result.TrainingSeconds, 1e-9));
        }
        else
        {
            await patient.Run(() => job.Release(options.WorkerId, result?.LastCheckpoint, result?.Step ?? assignment.CheckpointStep));
            logger.LogInformation("Released job {Job} at step {Step}", assignment.JobId, result?.Step);
        }
        await retry.Run(() => coordinator.Leave(options.WorkerId));
    }
}
