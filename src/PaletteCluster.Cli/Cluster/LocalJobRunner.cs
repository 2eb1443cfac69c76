using Microsoft.Extensions.Logging;
using PaletteCluster.Api.Client;
using PaletteCluster.Api.Service;
using PaletteCluster.Api.Specs;
using PaletteCluster.Api.V1;
using PaletteCluster.Cli.Commands;
using PaletteCluster.Worker;
using Grpc.Core;
using static TorchSharp.torch;

namespace PaletteCluster.Cli.Cluster;

/// <summary>
/// `palette train job.yaml`: the whole cluster in this process on the embedded default. A silo (state in files)
/// and a worker start here, the job goes in through the gRPC API like any other, and progress is watched until it
/// ends. Run the same file again to continue a stopped job; Ctrl+C checkpoints and stops.
/// </summary>
public sealed class LocalJobRunner(string specPath, string stateDirectory, string storageRoot, Device device, EnvironmentKnobs knobs, ILoggerFactory logging)
{
    /// <summary>Exit code after Ctrl+C / SIGTERM (the shell's convention for an interrupted command).</summary>
    public const int StoppedByUser = 130;

    public async Task<int> Run(CancellationToken stop)
    {
        // Bad specs fail here, before a cluster starts (the same reader and rules the API applies to the text sent below).
        var spec = JobSpecReader.ReadFile(specPath);
        string jobId = JobIds.Slug(spec.Name.Length > 0 ? spec.Name : Path.GetFileNameWithoutExtension(specPath));
        var logger = logging.CreateLogger("palette.train");

        await using var cluster = await InProcessCluster.Start(stateDirectory, ConsoleReporting.HostLogging(), JobValidation.Register);
        using var api = new JobApiClient(cluster.ApiAddress);
        var job = await Existing(api, jobId, stop);
        if (job is null)
        {
            job = await api.SubmitFile(specPath, jobId, stop);
            logger.LogInformation("Submitted job {Job}", jobId);
        }
        else if (job.State.IsFinal())
        {
            Console.WriteLine($"Job {jobId} is already {JobTable.StateName(job.State)} at step {job.Step} (checkpoint: {job.Checkpoint}); give the spec another name to train again.");
            return job.State == JobState.Completed ? 0 : 1;
        }
        else
        {
            if (job.State == JobState.Paused) job = await api.Resume(jobId, stop);
            logger.LogInformation("Continuing job {Job} from step {Step}", jobId, job.Step);
        }

        cluster.StartWorker(new WorkerOptions
        {
            StorageRoot = storageRoot, WorkerId = $"local-{Environment.ProcessId}",
            SynchronousCheckpoints = knobs.SynchronousCheckpoints, PrefetchDepth = knobs.PrefetchDepth,
        }, device, logger);
        var bar = new ProgressBar(Console.Out);
        var last = job;
        try
        {
            await foreach (var e in api.Watch(jobId, stop))
            {
                last = e.Job;
                bar.Report(JobTable.StateName(e.Job.State), e.Job.Step, e.Job.Spec.Recipe.Steps, JobTable.Progress(e.Job));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        bar.Finish();
        await cluster.StopWorker(); // on Ctrl+C: checkpoint and hand the job back
        last = await api.Get(jobId, CancellationToken.None);
        Console.WriteLine(last.State switch
        {
            JobState.Completed => $"Done: job {jobId} completed at step {last.Step}. Checkpoint: {last.Checkpoint}"
                                  + (string.IsNullOrEmpty(last.SampleGrid) ? "" : $"; samples: {last.SampleGrid}"),
            JobState.Failed => $"Job {jobId} failed at step {last.Step}: {last.Error}",
            _ => $"Stopped job {jobId} at step {last.Step} ({JobTable.StateName(last.State)}); run the same command again to continue. Checkpoint: {last.Checkpoint}",
        });
        if (stop.IsCancellationRequested) return StoppedByUser;
        return last.State == JobState.Completed ? 0 : 1;
    }

    private static async Task<Job?> Existing(JobApiClient api, string jobId, CancellationToken stop)
    {
        try { return await api.Get(jobId, stop); }
        catch (JobApiException e) when (e.Status == StatusCode.NotFound) { return null; }
    }

}
