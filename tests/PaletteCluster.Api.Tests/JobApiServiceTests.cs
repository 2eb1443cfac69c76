using System.Threading.Channels;
using Grpc.Core;
using PaletteCluster.Abstractions;
using PaletteCluster.Api.V1;
using JobState = PaletteCluster.Api.V1.JobState;

namespace PaletteCluster.Api.Tests;

[Collection(JobApiCollection.Name)]
public class JobApiServiceTests(JobApiFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private JobService.JobServiceClient Api => fixture.Api;

    private string ValidYaml(string name = "Faces Run", long steps = 40) => $"""
        name: {name}
        data: {fixture.DataFolder}
        task: inpainting:2,colorization:1
        steps: {steps}
        batch_size: 4
        """;

    private Task<Job> Submit(string text, string? id = null, string source = "job.yaml", string format = "yaml") =>
        Api.SubmitJobAsync(new SubmitJobRequest { SpecText = text, Format = format, JobId = id ?? "", SourceName = source }).ResponseAsync;

    private async Task<List<string>> ListedIds() => (await Api.ListJobsAsync(new ListJobsRequest())).Jobs.Select(j => j.JobId).ToList();

    private IJobGrain Grain(string id) => fixture.Cluster.Client.GetGrain<IJobGrain>(id);

    private static async Task<RpcException> Refused(Func<Task> call, StatusCode expected)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, e.StatusCode);
        return e;
    }

    [Fact]
    public async Task Submitted_job_is_pending_listed_and_readable_with_its_spec()
    {
        var job = await Submit(ValidYaml());

        Assert.Matches("^faces-run-[0-9a-f]{6}$", job.JobId);
        Assert.Equal(JobState.Pending, job.State);
        Assert.Equal((40L, 4, "inpainting:2,colorization:1", fixture.DataFolder), (job.Spec.Recipe.Steps, job.Spec.Recipe.BatchSize, job.Spec.Recipe.Task, job.Spec.Data));
        Assert.Equal(64, job.Spec.Recipe.ImageSize); // default applied
        Assert.Contains(job.JobId, await ListedIds());
        var read = await Api.GetJobAsync(new JobRequest { JobId = job.JobId });
        Assert.Equal(job, read);
        Assert.Equal(Abstractions.JobState.Pending, (await Grain(job.JobId).GetStatus())!.State);
    }

    [Fact]
    public async Task Json_spec_and_a_chosen_id_are_used_and_the_id_cannot_be_taken_twice()
    {
        var json = $$"""{"data": "{{fixture.DataFolder}}", "steps": 12}""";

        var job = await Submit(json, id: "chosen-id-1", source: "job.json", format: "json");
        var again = await Refused(() => Submit(json, id: "chosen-id-1", source: "job.json", format: "json"), StatusCode.AlreadyExists);

        Assert.Equal(("chosen-id-1", 12L), (job.JobId, job.Spec.Recipe.Steps));
        Assert.Contains("chosen-id-1", again.Status.Detail);
        Assert.Single(await ListedIds(), id => id == "chosen-id-1");
    }

    [Fact]
    public async Task Invalid_spec_is_InvalidArgument_with_the_readers_full_message_and_creates_nothing()
    {
        var before = await ListedIds();
        var text = $"data: {fixture.DataFolder}\nsteps: 10\nbatch_szie: 4\nloss: l3\n";

        var e = await Refused(() => Submit(text, id: "never-created"), StatusCode.InvalidArgument);

        Assert.StartsWith("job spec job.yaml is invalid (2 problems):", e.Status.Detail);
        Assert.Contains("job.yaml:3: batch_szie: unknown key; did you mean 'batch_size'?", e.Status.Detail);
        Assert.Contains("job.yaml:4: loss: must be one of l1, l2; got 'l3'", e.Status.Detail);
        Assert.Equal(before, await ListedIds());
        Assert.Null(await Grain("never-created").GetStatus());
    }

    [Fact]
    public async Task Spec_whose_data_folder_is_missing_is_refused_by_the_validator_and_creates_nothing()
    {
        var before = await ListedIds();
        var missing = Path.Combine(fixture.DataFolder, "no-such-folder");

        var e = await Refused(() => Submit($"data: {missing}\nsteps: 10\n", id: "no-data"), StatusCode.InvalidArgument);

        Assert.Contains($"data: folder '{missing}' does not exist", e.Status.Detail);
        Assert.Equal(before, await ListedIds());
        Assert.Null(await Grain("no-data").GetStatus());
    }

    [Theory]
    [InlineData("Has Spaces")]
    [InlineData("-leading-dash")]
    [InlineData("UPPER")]
    public async Task Unusable_job_ids_are_InvalidArgument(string id)
    {
        var e = await Refused(() => Submit(ValidYaml(), id: id), StatusCode.InvalidArgument);
        Assert.Contains(id, e.Status.Detail);
        Assert.DoesNotContain(id, await ListedIds());
    }

    [Fact]
    public async Task Pause_resume_cancel_follow_the_state_machine_and_refused_moves_are_FailedPrecondition()
    {
        var id = (await Submit(ValidYaml("steer me"))).JobId;

        Assert.Equal(JobState.Paused, (await Api.PauseJobAsync(new JobRequest { JobId = id })).State);
        var twice = await Refused(() => Api.PauseJobAsync(new JobRequest { JobId = id }).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal($"job '{id}' is paused: cannot pause", twice.Status.Detail);

        Assert.Equal(JobState.Pending, (await Api.ResumeJobAsync(new JobRequest { JobId = id })).State);
        await Refused(() => Api.ResumeJobAsync(new JobRequest { JobId = id }).ResponseAsync, StatusCode.FailedPrecondition);

        Assert.Equal(JobState.Cancelled, (await Api.CancelJobAsync(new JobRequest { JobId = id })).State);
        var afterCancel = await Refused(() => Api.ResumeJobAsync(new JobRequest { JobId = id }).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Contains("cancelled", afterCancel.Status.Detail);
        Assert.Equal(JobState.Cancelled, (await Api.GetJobAsync(new JobRequest { JobId = id })).State);
    }

    [Fact]
    public async Task Unknown_job_is_NotFound_for_every_call()
    {
        var unknown = new JobRequest { JobId = "no-such-job" };

        await Refused(() => Api.GetJobAsync(unknown).ResponseAsync, StatusCode.NotFound);
        await Refused(() => Api.PauseJobAsync(unknown).ResponseAsync, StatusCode.NotFound);
        await Refused(() => Api.ResumeJobAsync(unknown).ResponseAsync, StatusCode.NotFound);
        await Refused(() => Api.CancelJobAsync(unknown).ResponseAsync, StatusCode.NotFound);
        await Refused(() => Api.GetJobMetricsAsync(new GetJobMetricsRequest { JobId = "no-such-job" }).ResponseAsync, StatusCode.NotFound);
        var e = await Refused(async () =>
        {
            using var watch = Api.WatchJob(unknown);
            await watch.ResponseStream.MoveNext();
        }, StatusCode.NotFound);
        Assert.Equal("no job 'no-such-job'", e.Status.Detail);
        Assert.Null(await Grain("no-such-job").GetStatus()); // looking did not create it
    }

    [Fact]
    public async Task Watch_streams_every_change_a_worker_makes_and_ends_after_Completed()
    {
        var id = (await Submit(ValidYaml("watched", steps: 20))).JobId;
        using var watchCts = new CancellationTokenSource(Patience);
        using var watch = Api.WatchJob(new JobRequest { JobId = id }, cancellationToken: watchCts.Token);
        var events = Channel.CreateUnbounded<JobEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in watch.ResponseStream.ReadAllAsync(watchCts.Token)) await events.Writer.WriteAsync(e);
            events.Writer.Complete();
        });
        async Task<JobEvent> Next() => await events.Reader.ReadAsync(watchCts.Token);
        var grain = Grain(id);

        var first = await Next();
        Assert.Equal((JobState.Pending, false), (first.Job.State, first.Final));

        // Acting as the worker; each change is awaited on the stream before the next, so none is coalesced.
        Assert.NotNull(await grain.TryAssign("worker-a"));
        var running = await Next();
        Assert.Equal(JobState.Running, running.Job.State);
        Assert.Equal(["worker-a"], running.Job.Workers);

        Assert.Equal(WorkerDirective.Continue, await grain.ReportProgress("worker-a", new ProgressReport(10, 0.25, 1e-4, 42.5)));
        var progress = await Next();
        Assert.Equal((10L, 0.25, 1e-4, 42.5), (progress.Job.Step, progress.Job.Loss, progress.Job.LearningRate, progress.Job.ImagesPerSecond));
        Assert.False(progress.Job.HasCheckpoint);

        await grain.ReportProgress("worker-a", new ProgressReport(20, 0.125, 1e-4, 40));
        Assert.Equal(20L, (await Next()).Job.Step);
        Assert.True(await grain.CommitCheckpoint("worker-a", new CheckpointCommit(20, "/ckpt/step-20")));
        var checkpointed = await Next();
        Assert.Equal(("/ckpt/step-20", 20L), (checkpointed.Job.Checkpoint, checkpointed.Job.CheckpointStep));

        await grain.Complete("worker-a", new CompletionReport(20, "/ckpt/final", "/samples/grid.png"));
        var done = await Next();
        Assert.Equal((JobState.Completed, true, "/samples/grid.png"), (done.Job.State, done.Final, done.Job.SampleGrid));

        await reading; // the server ended the stream after the final event
        Assert.False(await events.Reader.WaitToReadAsync());
        Assert.Equal([first, running, progress, checkpointed, done], new[] { first, running, progress, checkpointed, done }.OrderBy(e => e.Job.Version));
        Assert.True(done.Job.Version > first.Job.Version);
    }

    [Fact]
    public async Task Watch_of_a_job_that_is_cancelled_or_already_final_ends_with_that_event()
    {
        var id = (await Submit(ValidYaml("to cancel"))).JobId;
        using var cts = new CancellationTokenSource(Patience);
        using var watch = Api.WatchJob(new JobRequest { JobId = id }, cancellationToken: cts.Token);
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(JobState.Pending, watch.ResponseStream.Current.Job.State);

        await Api.CancelJobAsync(new JobRequest { JobId = id });

        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal((JobState.Cancelled, true), (watch.ResponseStream.Current.Job.State, watch.ResponseStream.Current.Final));
        Assert.False(await watch.ResponseStream.MoveNext(cts.Token));

        using var late = Api.WatchJob(new JobRequest { JobId = id }, cancellationToken: cts.Token);
        var all = await late.ResponseStream.ReadAllAsync(cts.Token).ToListAsync(cts.Token);
        Assert.Equal((JobState.Cancelled, true), (Assert.Single(all).Job.State, all[0].Final));
    }

    [Fact]
    public async Task Metrics_come_from_the_dashboard_and_can_start_after_a_step()
    {
        var id = (await Submit(ValidYaml("metrics"))).JobId;
        var grain = Grain(id);
        await grain.TryAssign("worker-m");
        for (int step = 10; step <= 30; step += 10)
            await grain.ReportProgress("worker-m", new ProgressReport(step, 1.0 / step, 1e-4, step));

        var all = await Api.GetJobMetricsAsync(new GetJobMetricsRequest { JobId = id });
        var later = await Api.GetJobMetricsAsync(new GetJobMetricsRequest { JobId = id, AfterStep = 10 });

        Assert.Equal([10L, 20L, 30L], all.Points.Select(p => p.Step));
        Assert.Equal(0.05, all.Points[1].Loss, 10);
        Assert.Equal([20L, 30L], later.Points.Select(p => p.Step));
    }

    [Fact]
    public async Task Workers_are_listed_with_their_inventory_and_current_job()
    {
        var worker = fixture.Cluster.Client.GetGrain<IWorkerGrain>("gpu-box-1");
        await worker.Register(new WorkerInventory("gpu-box", 4242, "cuda", 16, ["NVIDIA H100"], 80L << 30));
        await worker.Heartbeat(new WorkerHeartbeat("some-job", 5, 12.5));
        await fixture.Cluster.Client.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).AddWorker("gpu-box-1");

        var listed = (await Api.ListWorkersAsync(new ListWorkersRequest())).Workers.Single(w => w.WorkerId == "gpu-box-1");

        Assert.Equal(("gpu-box", 4242, "cuda", 16, 80L << 30), (listed.Host, listed.ProcessId, listed.DeviceKind, listed.CpuCores, listed.GpuMemoryBytes));
        Assert.Equal(["NVIDIA H100"], listed.Gpus);
        Assert.True(listed.Active);
        Assert.Equal(12.5, listed.ImagesPerSecond);
    }
}
