using System.Text.Json;
using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Tests;

/// <summary>The job state machine as seen through the job grain, on a real cluster with file storage.</summary>
public sealed class JobGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly JobSpec Spec = new() { Name = "colorize", Data = "/data/faces", Recipe = new() { Steps = 100 } };

    private IJobGrain NewJob() => fixture.Client.GetGrain<IJobGrain>("job-" + Guid.NewGuid().ToString("N"));

    private static ProgressReport Progress(long step) => new(step, Loss: 0.5 / step, LearningRate: 1e-4, ImagesPerSecond: 9);

    [Fact]
    public async Task Happy_path_goes_pending_running_completed()
    {
        var job = NewJob();
        var created = await job.Create(Spec);
        Assert.Equal(JobState.Pending, created.State);
        Assert.Equal(1, created.Version);

        var assignment = await job.TryAssign("w1");
        Assert.NotNull(assignment);
        Assert.Equal(Spec, assignment.Spec);
        Assert.Null(assignment.Checkpoint);

        Assert.Equal(WorkerDirective.Continue, await job.ReportProgress("w1", Progress(50)));
        Assert.True(await job.CommitCheckpoint("w1", new CheckpointCommit(50, "ckpt/50")));
        Assert.Equal(WorkerDirective.Continue, await job.ReportProgress("w1", Progress(60)));
        var running = (await job.GetStatus())!;
        Assert.Equal(JobState.Running, running.State);
        Assert.Equal(60, running.Step);
        Assert.Equal("ckpt/50", running.Checkpoint);
        Assert.Equal(["w1"], running.Workers);

        await job.Complete("w1", new CompletionReport(100, "ckpt/100", "samples/grid.png"));
        var done = (await job.GetStatus())!;
        Assert.Equal(JobState.Completed, done.State);
        Assert.Equal(100, done.Step);
        Assert.Equal("ckpt/100", done.Checkpoint);
        Assert.Equal(100, done.CheckpointStep);
        Assert.Equal("samples/grid.png", done.SampleGrid);
        Assert.Empty(done.Workers);
        // Create, assign, two reports, a commit, complete: one version each.
        Assert.Equal(6, done.Version);
        Assert.Null(await job.TryAssign("w2"));
    }

    [Fact]
    public async Task Suspend_and_unsuspend_are_stored_and_keep_the_worker()
    {
        var job = NewJob();
        await job.Create(Spec);
        await job.TryAssign("w1");
        var suspended = await job.Suspend("w1", "checkpoint store unreachable since 10:00:00 UTC");
        Assert.Equal(JobState.Suspended, suspended.State);
        var stored = fixture.ReadStored("job", job).State.GetProperty("Status");
        Assert.Equal("Suspended", stored.GetProperty("State").GetString());
        Assert.Equal("checkpoint store unreachable since 10:00:00 UTC", stored.GetProperty("SuspendedBecause").GetString());
        Assert.Null(await job.TryAssign("w2"));

        Assert.Equal(WorkerDirective.Stop, await job.Unsuspend("w2"));
        Assert.Equal(WorkerDirective.Continue, await job.Unsuspend("w1"));
        var running = (await job.GetStatus())!;
        Assert.Equal((JobState.Running, null), (running.State, running.SuspendedBecause));
        Assert.Equal(["w1"], running.Workers);
        Assert.Equal("Running", fixture.ReadStored("job", job).State.GetProperty("Status").GetProperty("State").GetString());
    }

    [Fact]
    public async Task Pause_stops_the_worker_and_resume_waits_for_its_release()
    {
        var job = NewJob();
        await job.Create(Spec);
        await job.TryAssign("w1");
        await job.ReportProgress("w1", Progress(10));

        Assert.Equal(JobState.Paused, (await job.Pause()).State);
        Assert.Equal(WorkerDirective.Stop, await job.ReportProgress("w1", Progress(20)));
        Assert.Equal(10, (await job.GetStatus())!.Step);

        // Resumed before the old worker let go: nobody else may take it yet.
        Assert.Equal(JobState.Pending, (await job.Resume()).State);
        Assert.Null(await job.TryAssign("w2"));

        await job.Release("w1", "ckpt/20", 20);
        var released = (await job.GetStatus())!;
        Assert.Equal(JobState.Pending, released.State);
        Assert.Empty(released.Workers);

        var assignment = await job.TryAssign("w2");
        Assert.NotNull(assignment);
        Assert.Equal("ckpt/20", assignment.Checkpoint);
        Assert.Equal(20, assignment.CheckpointStep);
        Assert.Equal(WorkerDirective.Stop, await job.ReportProgress("w1", Progress(30)));
        Assert.Equal(WorkerDirective.Continue, await job.ReportProgress("w2", Progress(30)));
    }

    [Fact]
    public async Task Release_of_a_running_job_makes_it_pending_again_and_keeps_the_newest_checkpoint()
    {
        var job = NewJob();
        await job.Create(Spec);
        await job.TryAssign("w1");
        await job.ReportProgress("w1", Progress(40));
        Assert.True(await job.CommitCheckpoint("w1", new CheckpointCommit(40, "ckpt/40")));
        // A commit naming an older checkpoint (a late retry) must not move the pointer back.
        await job.ReportProgress("w1", Progress(45));
        Assert.True(await job.CommitCheckpoint("w1", new CheckpointCommit(30, "ckpt/30")));
        Assert.Equal("ckpt/40", (await job.GetStatus())!.Checkpoint);

        await job.Release("w1", "ckpt/35", 35);
        var status = (await job.GetStatus())!;
        Assert.Equal(JobState.Pending, status.State);
        Assert.Equal("ckpt/40", status.Checkpoint);
        Assert.Equal(40, status.CheckpointStep);

        // A repeated release changes nothing.
        await job.Release("w1", "ckpt/99", 99);
        Assert.Equal(status.Version, (await job.GetStatus())!.Version);
    }

    [Fact]
    public async Task Progress_from_a_stranger_is_refused_and_not_recorded()
    {
        var job = NewJob();
        await job.Create(Spec);
        Assert.Equal(WorkerDirective.Stop, await job.ReportProgress("w1", Progress(5)));
        await job.TryAssign("w1");
        var before = (await job.GetStatus())!;
        Assert.Equal(WorkerDirective.Stop, await job.ReportProgress("intruder", Progress(7)));
        Assert.False(await job.CommitCheckpoint("intruder", new CheckpointCommit(7, "ckpt/7")));
        var after = (await job.GetStatus())!;
        Assert.Equal(before.Version, after.Version);
        Assert.Null(after.Checkpoint);
    }

    [Fact]
    public async Task A_commit_is_the_only_call_that_moves_the_checkpoint_and_it_survives_a_restart_of_the_grain()
    {
        var job = NewJob();
        await job.Create(Spec);
        await job.TryAssign("w1");
        for (var step = 1; step <= 2 * ClusterFixture.ProgressWriteEveryReports; step++)
            await job.ReportProgress("w1", Progress(step));
        Assert.Null((await job.GetStatus())!.Checkpoint);
        Assert.Equal(JsonValueKind.Null, fixture.ReadStored("job", job).State.GetProperty("Status").GetProperty("Checkpoint").ValueKind);

        Assert.True(await job.CommitCheckpoint("w1", new CheckpointCommit(6, "store:j/step-00000006")));
        var stored = fixture.ReadStored("job", job).State.GetProperty("Status");
        Assert.Equal("store:j/step-00000006", stored.GetProperty("Checkpoint").GetString());
        Assert.Equal(6, stored.GetProperty("CheckpointStep").GetInt64());

        // A new activation reads the pointer back and hands it to the next worker.
        await fixture.Cluster.DeactivateAsync(job);
        await job.Release("w1", null, 0);
        var next = await job.TryAssign("w2");
        Assert.Equal(("store:j/step-00000006", 6L), (next!.Checkpoint, next.CheckpointStep));
    }

    [Fact]
    public async Task Progress_reaches_the_dashboard()
    {
        var job = NewJob();
        await job.Create(Spec);
        await job.TryAssign("w1");
        await job.ReportProgress("w1", Progress(10));
        await job.ReportProgress("w1", Progress(20));

        var series = await fixture.Client.GetGrain<IDashboardGrain>(job.GetPrimaryKeyString()).GetSeries();
        Assert.Equal([10L, 20L], series.Select(p => p.Step));
        Assert.Equal(0.5 / 20, series[1].Loss);
        Assert.Equal(fixture.Clock.GetUtcNow(), series[1].At);
    }

    [Fact]
    public async Task Creating_twice_is_refused()
    {
        var job = NewJob();
        await job.Create(Spec);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => job.Create(Spec with { Recipe = Spec.Recipe with { Steps = 5 } }));
        Assert.Contains("already exists", error.Message);
        var status = (await job.GetStatus())!;
        Assert.Equal(100, status.Spec.Recipe.Steps);
        Assert.Equal(1, status.Version);
    }

    [Fact]
    public async Task Progress_is_written_on_checkpoints_and_every_few_reports()
    {
        var job = NewJob();
        await job.Create(Spec);
        await job.TryAssign("w1");
        var etag = fixture.StoredETag("job", job);

        // Below the report count, without a checkpoint: nothing written yet.
        await job.ReportProgress("w1", Progress(1));
        Assert.Equal(etag, fixture.StoredETag("job", job));

        // A new checkpoint pointer is written at once.
        await job.ReportProgress("w1", Progress(2));
        Assert.True(await job.CommitCheckpoint("w1", new CheckpointCommit(2, "ckpt/2")));
        var stored = fixture.ReadStored("job", job);
        Assert.NotEqual(etag, stored.ETag);
        Assert.Equal("ckpt/2", stored.State.GetProperty("Status").GetProperty("Checkpoint").GetString());

        for (var step = 3; step < 3 + ClusterFixture.ProgressWriteEveryReports - 1; step++)
            await job.ReportProgress("w1", Progress(step));
        Assert.Equal(stored.ETag, fixture.StoredETag("job", job));
        await job.ReportProgress("w1", Progress(10));
        Assert.Equal(10, fixture.ReadStored("job", job).State.GetProperty("Status").GetProperty("Step").GetInt64());
    }

    public enum JobAction { Pause, Resume, Cancel, Complete, Fail }

    /// <summary>The moves JobState documents, written out here rather than taken from the code under test.</summary>
    private static readonly Dictionary<(JobState, JobAction), JobState> Allowed = new()
    {
        [(JobState.Pending, JobAction.Pause)] = JobState.Paused,
        [(JobState.Pending, JobAction.Cancel)] = JobState.Cancelled,
        [(JobState.Running, JobAction.Pause)] = JobState.Paused,
        [(JobState.Running, JobAction.Cancel)] = JobState.Cancelled,
        [(JobState.Running, JobAction.Complete)] = JobState.Completed,
        [(JobState.Running, JobAction.Fail)] = JobState.Failed,
        [(JobState.Suspended, JobAction.Pause)] = JobState.Paused,
        [(JobState.Suspended, JobAction.Cancel)] = JobState.Cancelled,
        [(JobState.Suspended, JobAction.Fail)] = JobState.Failed,
        [(JobState.Paused, JobAction.Resume)] = JobState.Pending,
        [(JobState.Paused, JobAction.Cancel)] = JobState.Cancelled,
    };

    public static TheoryData<JobState, JobAction> EveryStateAndAction()
    {
        var data = new TheoryData<JobState, JobAction>();
        foreach (var state in Enum.GetValues<JobState>())
        foreach (var action in Enum.GetValues<JobAction>())
            data.Add(state, action);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStateAndAction))]
    public async Task Each_action_in_each_state_moves_as_documented_or_changes_nothing(JobState from, JobAction action)
    {
        var job = await JobIn(from);
        var before = (await job.GetStatus())!;
        Assert.Equal(from, before.State);
        var etagBefore = fixture.StoredETag("job", job);

        Task act() => action switch
        {
            JobAction.Pause => job.Pause(),
            JobAction.Resume => job.Resume(),
            JobAction.Cancel => job.Cancel(),
            JobAction.Complete => job.Complete("w1", new CompletionReport(100, "ckpt/100", null)),
            JobAction.Fail => job.Fail("w1", "diverged"),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };

        if (Allowed.TryGetValue((from, action), out var to))
        {
            await act();
            var after = (await job.GetStatus())!;
            Assert.Equal(to, after.State);
            Assert.Equal(before.Version + 1, after.Version);
            Assert.NotEqual(etagBefore, fixture.StoredETag("job", job));
        }
        else
        {
            var error = await Assert.ThrowsAsync<InvalidJobTransitionException>(act);
            Assert.Equal(from, error.From);
            var after = (await job.GetStatus())!;
            Assert.Equal(before.Version, after.Version);
            Assert.Equal(from, after.State);
            Assert.Equal(etagBefore, fixture.StoredETag("job", job));
        }
    }

    /// <summary>A fresh job brought into a state by the grain's own API (worker "w1" where one is needed).</summary>
    private async Task<IJobGrain> JobIn(JobState state)
    {
        var job = NewJob();
        await job.Create(Spec);
        switch (state)
        {
            case JobState.Pending: break;
            case JobState.Running: await job.TryAssign("w1"); break;
            case JobState.Paused: await job.Pause(); break;
            case JobState.Completed:
                await job.TryAssign("w1");
                await job.Complete("w1", new CompletionReport(100, null, null));
                break;
            case JobState.Failed:
                await job.TryAssign("w1");
                await job.Fail("w1", "out of memory");
                break;
            case JobState.Cancelled: await job.Cancel(); break;
            case JobState.Suspended:
                await job.TryAssign("w1");
                await job.Suspend("w1", "checkpoint store unreachable");
                break;
        }
        return job;
    }
}
