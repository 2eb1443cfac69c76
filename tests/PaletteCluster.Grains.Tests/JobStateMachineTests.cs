using PaletteCluster.Abstractions;
using PaletteCluster.Grains.Jobs;

namespace PaletteCluster.Grains.Tests;

public sealed class JobStateMachineTests
{
    private readonly ManualClock _clock = new();

    private JobStateMachine Created()
    {
        var machine = new JobStateMachine("j", null, _clock);
        machine.Create(new JobSpec { Name = "j", Recipe = new() { Steps = 10 } });
        return machine;
    }

    [Fact]
    public void Documented_moves_are_exactly_the_allowed_ones()
    {
        var allowed = new HashSet<(JobState, JobState)>
        {
            (JobState.Pending, JobState.Running), (JobState.Pending, JobState.Paused), (JobState.Pending, JobState.Cancelled),
            (JobState.Running, JobState.Completed), (JobState.Running, JobState.Failed), (JobState.Running, JobState.Paused),
            (JobState.Running, JobState.Cancelled), (JobState.Running, JobState.Pending), (JobState.Running, JobState.Suspended),
            (JobState.Suspended, JobState.Running), (JobState.Suspended, JobState.Failed), (JobState.Suspended, JobState.Paused),
            (JobState.Suspended, JobState.Cancelled), (JobState.Suspended, JobState.Pending),
            (JobState.Paused, JobState.Pending), (JobState.Paused, JobState.Cancelled),
        };
        foreach (var from in Enum.GetValues<JobState>())
        foreach (var to in Enum.GetValues<JobState>())
            Assert.True(allowed.Contains((from, to)) == JobStateMachine.CanMove(from, to), $"{from} -> {to}");
    }

    [Fact]
    public void Refused_requests_leave_the_status_object_untouched()
    {
        var machine = Created();
        var before = machine.Current;
        Assert.Throws<InvalidJobTransitionException>(() => machine.Resume());
        Assert.Throws<InvalidJobTransitionException>(() => machine.Complete("w1", new CompletionReport(10, null, null)));
        Assert.Same(before, machine.Current);
        Assert.Throws<InvalidOperationException>(() => machine.Create(new JobSpec()));
        Assert.Same(before, machine.Current);
    }

    [Fact]
    public void Every_change_bumps_version_and_updated_at()
    {
        var machine = Created();
        var created = machine.Current!;
        _clock.Advance(TimeSpan.FromMinutes(1));
        machine.TryAssign("w1");
        var assigned = machine.Current!;
        Assert.Equal(created.Version + 1, assigned.Version);
        Assert.Equal(created.CreatedAt, assigned.CreatedAt);
        Assert.Equal(created.UpdatedAt + TimeSpan.FromMinutes(1), assigned.UpdatedAt);
    }

    [Fact]
    public void Checkpoint_pointer_only_moves_forward()
    {
        var machine = Created();
        machine.TryAssign("w1");
        Assert.True(machine.CommitCheckpoint("w1", new CheckpointCommit(5, "c5"), out var moved));
        Assert.True(moved);
        machine.ReportProgress("w1", new ProgressReport(6, 1, 1, 1));
        Assert.True(machine.CommitCheckpoint("w1", new CheckpointCommit(3, "c3"), out moved));
        Assert.False(moved);
        machine.ReportProgress("w1", new ProgressReport(7, 1, 1, 1));
        Assert.True(machine.CommitCheckpoint("w1", new CheckpointCommit(5, "c5-again"), out moved));
        Assert.False(moved);
        Assert.Equal(("c5", 5L, 7L), (machine.Current!.Checkpoint, machine.Current.CheckpointStep, machine.Current.Step));
    }

    [Fact]
    public void Only_a_commit_from_the_holding_worker_moves_the_pointer()
    {
        var machine = Created();
        Assert.False(machine.CommitCheckpoint("w1", new CheckpointCommit(5, "c5"), out var moved)); // pending: nobody holds it
        Assert.False(moved);
        machine.TryAssign("w1");
        var before = machine.Current!;
        Assert.False(machine.CommitCheckpoint("w2", new CheckpointCommit(9, "c9"), out moved));
        Assert.False(moved);
        Assert.Same(before, machine.Current);

        // Progress reports carry metrics only: the pointer stays where the last commit put it.
        machine.ReportProgress("w1", new ProgressReport(12, 1, 1, 1));
        Assert.Null(machine.Current!.Checkpoint);
        Assert.True(machine.CommitCheckpoint("w1", new CheckpointCommit(10, "c10"), out moved));
        Assert.True(moved);
        Assert.Equal(("c10", 10L, 12L), (machine.Current!.Checkpoint, machine.Current.CheckpointStep, machine.Current.Step));
        // A commit ahead of the reports moves the step too.
        Assert.True(machine.CommitCheckpoint("w1", new CheckpointCommit(20, "c20"), out _));
        Assert.Equal(20, machine.Current!.Step);

        // Told to stop, the worker stays on the roster until it releases: its last checkpoint still counts.
        machine.Pause();
        Assert.True(machine.CommitCheckpoint("w1", new CheckpointCommit(30, "c30"), out moved));
        Assert.True(moved);
        machine.Cancel();
        Assert.False(machine.CommitCheckpoint("w1", new CheckpointCommit(40, "c40"), out _)); // final: nothing moves
        Assert.Equal("c30", machine.Current!.Checkpoint);
        Assert.Throws<ArgumentException>(() => machine.CommitCheckpoint("w1", new CheckpointCommit(31, " "), out _));
    }

    [Fact]
    public void Resumed_job_waits_for_its_old_worker_to_release()
    {
        var machine = Created();
        machine.TryAssign("w1");
        machine.Pause();
        machine.Resume();
        Assert.Null(machine.TryAssign("w2"));
        Assert.Null(machine.TryAssign("w1"));
        Assert.True(machine.Release("w1", null, 0));
        Assert.False(machine.Release("w1", null, 0));
        Assert.NotNull(machine.TryAssign("w2"));
    }

    [Fact]
    public void Cancelled_job_stays_cancelled_when_its_worker_releases()
    {
        var machine = Created();
        machine.TryAssign("w1");
        machine.Cancel();
        Assert.Equal(WorkerDirective.Stop, machine.ReportProgress("w1", new ProgressReport(1, 1, 1, 1)));
        Assert.True(machine.Release("w1", "c1", 1));
        Assert.Equal(JobState.Cancelled, machine.Current!.State);
        Assert.Empty(machine.Current.Workers);
        Assert.Null(machine.TryAssign("w2"));
    }

    [Fact]
    public void Missing_job_refuses_everything()
    {
        var machine = new JobStateMachine("ghost", null, _clock);
        Assert.Null(machine.TryAssign("w1"));
        Assert.Equal(WorkerDirective.Stop, machine.ReportProgress("w1", new ProgressReport(1, 1, 1, 1)));
        Assert.False(machine.Release("w1", null, 0));
        Assert.Throws<InvalidOperationException>(() => machine.Pause());
        Assert.Null(machine.Current);
    }

    [Fact]
    public void A_release_with_a_later_checkpoint_than_the_last_report_moves_the_step_to_it()
    {
        var machine = Created();
        machine.TryAssign("w1");
        machine.ReportProgress("w1", new ProgressReport(6, 0.5, 1e-4, 10));
        Assert.True(machine.Release("w1", "c8", 8)); // stopped (SIGTERM) two steps after its last report
        Assert.Equal(8, machine.Current!.Step);
        Assert.Equal(8, machine.Current.CheckpointStep);
        Assert.Equal(JobState.Pending, machine.Current.State);
    }

    [Fact]
    public void A_lost_worker_is_taken_off_a_running_job_which_goes_back_to_pending_with_the_reason()
    {
        var machine = Created();
        machine.TryAssign("w1");
        Assert.True(machine.WorkerLost("w1", "worker w1 lost: no heartbeat for 31 s"));
        Assert.Equal(JobState.Pending, machine.Current!.State);
        Assert.Empty(machine.Current.Workers);
        Assert.Contains("w1 lost", machine.Current.Error);
        Assert.False(machine.WorkerLost("w1", "again")); // no longer assigned: nothing changes
        Assert.Equal(WorkerDirective.Stop, machine.ReportProgress("w1", new ProgressReport(7, 0.5, 1e-4, 10)));
        Assert.NotNull(machine.TryAssign("w2"));
    }

    [Fact]
    public void A_suspended_job_keeps_its_worker_shows_why_and_runs_again_when_the_worker_unsuspends()
    {
        var machine = Created();
        machine.TryAssign("w1");
        machine.ReportProgress("w1", new ProgressReport(20, 0.5, 1e-4, 10));
        machine.CommitCheckpoint("w1", new CheckpointCommit(20, "store:j/step-00000020"), out _);
        var suspended = machine.Suspend("w1", "checkpoint store unreachable since 10:00:00");
        Assert.Equal(JobState.Suspended, suspended.State);
        Assert.Equal(["w1"], suspended.Workers);
        Assert.Equal("checkpoint store unreachable since 10:00:00", suspended.SuspendedBecause);
        Assert.Same(suspended, machine.Suspend("w1", "checkpoint store unreachable since 10:00:00")); // same reason: no change
        Assert.Null(machine.TryAssign("w2")); // held: nobody else gets it
        // A report sent before the suspension is recorded without changing the state.
        Assert.Equal(WorkerDirective.Continue, machine.ReportProgress("w1", new ProgressReport(23, 0.4, 1e-4, 10)));
        Assert.Equal((JobState.Suspended, 23L, 20L), (machine.Current!.State, machine.Current.Step, machine.Current.CheckpointStep));

        Assert.Equal(WorkerDirective.Stop, machine.Unsuspend("w2"));
        Assert.Equal(JobState.Suspended, machine.Current!.State);
        Assert.Equal(WorkerDirective.Continue, machine.Unsuspend("w1"));
        Assert.Equal(JobState.Running, machine.Current!.State);
        Assert.Null(machine.Current.SuspendedBecause);
        var version = machine.Current.Version;
        Assert.Equal(WorkerDirective.Continue, machine.Unsuspend("w1")); // a retried call changes nothing
        Assert.Equal(version, machine.Current.Version);
    }

    [Fact]
    public void Only_the_assigned_worker_of_a_running_job_can_suspend_it()
    {
        var machine = Created();
        Assert.Throws<InvalidJobTransitionException>(() => machine.Suspend("w1", "store down")); // pending: nobody holds it
        machine.TryAssign("w1");
        var before = machine.Current;
        Assert.Throws<InvalidJobTransitionException>(() => machine.Suspend("w2", "store down"));
        Assert.Throws<ArgumentException>(() => machine.Suspend("w1", " "));
        Assert.Same(before, machine.Current);
    }

    [Fact]
    public void A_suspended_job_paused_by_a_user_tells_its_worker_to_stop_and_waits_for_the_release()
    {
        var machine = Created();
        machine.TryAssign("w1");
        machine.Suspend("w1", "store down");
        Assert.Equal(JobState.Paused, machine.Pause().State);
        Assert.Null(machine.Current!.SuspendedBecause);
        Assert.Equal(WorkerDirective.Stop, machine.Unsuspend("w1"));
        Assert.Equal(JobState.Paused, machine.Current!.State);
        machine.Resume();
        Assert.Null(machine.TryAssign("w2")); // w1 still holds it
        machine.Release("w1", "store:j/step-30", 30);
        Assert.NotNull(machine.TryAssign("w2"));
        Assert.Equal(30, machine.Current!.CheckpointStep);
    }

    [Fact]
    public void A_suspended_jobs_lost_or_releasing_worker_sends_it_back_to_pending()
    {
        var lost = Created();
        lost.TryAssign("w1");
        lost.Suspend("w1", "store down");
        Assert.True(lost.WorkerLost("w1", "worker w1 lost: no heartbeat for 31 s"));
        Assert.Equal((JobState.Pending, null), (lost.Current!.State, lost.Current.SuspendedBecause));
        Assert.Empty(lost.Current.Workers);

        var released = Created();
        released.TryAssign("w1");
        released.Suspend("w1", "store down");
        Assert.True(released.Release("w1", null, 0));
        Assert.Equal((JobState.Pending, null), (released.Current!.State, released.Current.SuspendedBecause));
    }
}
