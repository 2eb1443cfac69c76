using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using PaletteCluster.Api.Client;
using PaletteCluster.Api.Specs;
using PaletteCluster.Api.V1;

namespace PaletteCluster.Cli.Commands;

/// <summary>
/// Commands that talk to a running cluster through its job API: <c>palette submit|status|watch|pause|resume|cancel|workers</c>.
/// Failures the user can act on (unreachable API, unknown job, invalid spec) print one line (the spec's problems one
/// per line) and exit 2; <c>watch</c> exits 0 when the job completed and 1 when it failed or was cancelled.
/// </summary>
public static class JobCommands
{
    public const int JobDidNotComplete = 1;
    private const int StoppedWatching = 130; // as a shell reports a command ended by Ctrl+C

    public static IEnumerable<Command> CreateAll() =>
    [
        Submit(), Status(), Watch(),
        Steer("pause", "Pause a job: its worker checkpoints and stops; resume continues from there", (c, id, ct) => c.Pause(id, ct)),
        Steer("resume", "Resume a paused job from its last checkpoint (it waits for a free worker)", (c, id, ct) => c.Resume(id, ct)),
        Steer("cancel", "Cancel a job for good (its checkpoints are kept)", (c, id, ct) => c.Cancel(id, ct)),
        Workers(),
    ];

    private static Option<string?> ApiOption() => new("--api")
    {
        Description = $"Job API address (default: ${JobApiClient.AddressVariable}, else {JobApiClient.DefaultAddress})",
    };

    private static Argument<string> JobIdArgument() => new("job-id") { Description = "The job's id (palette status lists them)" };

    private static JobApiClient Connect(ParseResult parse, Option<string?> api) =>
        new(JobApiClient.ResolveAddress(parse.GetValue(api), Environment.GetEnvironmentVariable));

    private static Command Submit()
    {
        var file = new Argument<FileInfo>("spec-file") { Description = "Job spec, YAML or JSON (see docs); relative data paths are relative to this file" };
        var id = new Option<string?>("--id") { Description = "Job id to use (default: the spec's name plus a short random suffix)" };
        var watch = new Option<bool>("--watch") { Description = "Follow the job until it ends, as palette watch does" };
        var api = ApiOption();
        var command = new Command("submit", "Submit a training job to the cluster") { file, id, watch, api };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists) throw new FileNotFoundException($"spec file '{path.FullName}' does not exist");
            // Sent as written: the API reads it once, reporting problems with this file's name and lines.
            using var client = Connect(parse, api);
            var job = await client.SubmitFile(path.FullName, parse.GetValue(id), ct);
            Console.WriteLine($"Submitted job {job.JobId} ({job.Spec.Recipe.Steps} steps of {job.Spec.Recipe.Task} on {job.Spec.Data}): {JobTable.StateName(job.State)}");
            if (!parse.GetValue(watch))
            {
                Console.WriteLine($"Follow it with: palette watch {job.JobId}");
                return 0;
            }
            return await Follow(client, job.JobId, ct);
        });
        return command;
    }

    private static Command Status()
    {
        var id = new Argument<string?>("job-id") { Description = "Show this job in detail (default: a table of all jobs)", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON (snake_case field names) instead of text" };
        var api = ApiOption();
        var command = new Command("status", "List the cluster's jobs, or show one") { id, json, api };
        command.SetAction(async (parse, ct) =>
        {
            using var client = Connect(parse, api);
            var jobId = parse.GetValue(id);
            if (jobId is not null)
            {
                var job = await client.Get(jobId, ct);
                Console.WriteLine(parse.GetValue(json) ? JobTable.ToJson(job) : JobTable.Detail(job, DateTimeOffset.UtcNow));
                return 0;
            }
            var jobs = await client.List(ct);
            if (parse.GetValue(json)) Console.WriteLine(JobTable.ToJson(jobs));
            else Console.WriteLine(jobs.Count == 0 ? "No jobs yet. Submit one with: palette submit <spec-file>" : JobTable.Jobs(jobs, DateTimeOffset.UtcNow));
            return 0;
        });
        return command;
    }

    private static Command Watch()
    {
        var id = JobIdArgument();
        var api = ApiOption();
        var command = new Command("watch", "Follow a job with a progress bar until it ends (exit 0: completed, 1: failed or cancelled)") { id, api };
        command.SetAction(async (parse, ct) =>
        {
            using var client = Connect(parse, api);
            return await Follow(client, parse.GetValue(id)!, ct);
        });
        return command;
    }

    private static Command Steer(string name, string description, Func<JobApiClient, string, CancellationToken, Task<Job>> move)
    {
        var id = JobIdArgument();
        var api = ApiOption();
        var command = new Command(name, description) { id, api };
        command.SetAction(async (parse, ct) =>
        {
            using var client = Connect(parse, api);
            var job = await move(client, parse.GetValue(id)!, ct);
            Console.WriteLine($"Job {job.JobId} is {JobTable.StateName(job.State)} at step {job.Step}/{job.Spec.Recipe.Steps}");
            return 0;
        });
        return command;
    }

    private static Command Workers()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON (snake_case field names) instead of a table" };
        var api = ApiOption();
        var command = new Command("workers", "List the cluster's workers: device, current job, throughput, last heartbeat") { json, api };
        command.SetAction(async (parse, ct) =>
        {
            using var client = Connect(parse, api);
            var workers = await client.Workers(ct);
            if (parse.GetValue(json)) Console.WriteLine(JobTable.ToJson(workers));
            else Console.WriteLine(workers.Count == 0 ? "No workers have joined. Start one with: palette worker" : JobTable.Workers(workers, DateTimeOffset.UtcNow));
            return 0;
        });
        return command;
    }

    /// <summary>Draws the job's progress until it ends; Ctrl+C stops watching, not the job.</summary>
    private static async Task<int> Follow(JobApiClient client, string jobId, CancellationToken ct)
    {
        var bar = new ProgressBar(Console.Out, plainEvery: 10);
        Job? last = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Without a handler SIGINT kills the process mid-line; with it, the watch ends and says the job goes on.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });
        try
        {
            await foreach (var e in client.Watch(jobId, stop.Token))
            {
                var job = e.Job;
                // Keep a line on screen for the moments worth scrolling back to: state changes and new checkpoints.
                bool keep = last is null || last.State != job.State || last.CheckpointStep != job.CheckpointStep || e.Final;
                bar.Report(JobTable.StateName(job.State), job.Step, job.Spec.Recipe.Steps, JobTable.Progress(job), keep && last is not null);
                last = job;
                if (e.Final) break;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            bar.Finish();
            Console.WriteLine($"Stopped watching; job {jobId} goes on ({(last is null ? "state unknown" : JobTable.StateName(last.State))}).");
            return StoppedWatching;
        }
        bar.Finish();
        if (last is null || !Api.Service.JobMapping.IsFinal(last.State))
            throw new JobApiException(Grpc.Core.StatusCode.Unavailable, $"the job API stopped sending updates before job {jobId} ended");

        switch (last.State)
        {
            case JobState.Completed:
                Console.WriteLine($"Job {jobId} completed at step {last.Step}."
                    + (last.HasCheckpoint ? $" Checkpoint: {last.Checkpoint}" : "")
                    + (last.HasSampleGrid ? $"; samples: {last.SampleGrid}" : ""));
                return 0;
            case JobState.Failed:
                Console.WriteLine($"Job {jobId} failed at step {last.Step}: {(last.HasError ? last.Error : "no reason given")}");
                return JobDidNotComplete;
            default:
                Console.WriteLine($"Job {jobId} was cancelled at step {last.Step}.");
                return JobDidNotComplete;
        }
    }
}
