using PaletteCluster.Abstractions;
using PaletteCluster.Grains.Jobs;

namespace PaletteCluster.Grains.Tests;

public sealed class JobStateMachineTests
{
    private readonly ManualClock _clock = new();

    private JobStateMachine Created()
    {
        var machine = new JobStateMachine("j", null, _clock);
        machine.Create(new JobSpec { Name = "j", Steps = 10 });
        return machine;
    }

    [Fact]
    public void Documented_moves_are_exactly_the_allowed_ones()
    {
        var allowed = new HashSet<(JobState, JobState)>
        {
            (JobState.Pending, JobState.Running), (JobState.Pending, JobState.Paused), (JobState.Pending, JobState.Cancelled),
            (JobState.Running, JobState.Completed), (JobState.Running, JobState.Failed), (JobState.Running, JobState.Paused),
            (JobState.Running, JobState.Cancelled), (JobState.Running, JobState.Pending),
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
        machine.ReportProgress("w1", new ProgressReport(5, 1, 1, 1, "c5", 5), out var moved);
        Assert.True(moved);
        machine.ReportProgress("w1", new ProgressReport(6, 1, 1, 1, "c3", 3), out moved);
        Assert.False(moved);
        machine.ReportProgress("w1", new ProgressReport(7, 1, 1, 1, "c5-again", 5), out moved);
        Assert.False(moved);
        Assert.Equal(("c5", 5L, 7L), (machine.Current!.Checkpoint, machine.Current.CheckpointStep, machine.Current.Step));
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
        Assert.Equal(WorkerDirective.Stop, machine.ReportProgress("w1", new ProgressReport(1, 1, 1, 1, null, 0), out _));
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
        Assert.Equal(WorkerDirective.Stop, machine.ReportProgress("w1", new ProgressReport(1, 1, 1, 1, null, 0), out _));
        Assert.False(machine.Release("w1", null, 0));
        Assert.Throws<InvalidOperationException>(() => machine.Pause());
        Assert.Null(machine.Current);
    }

    [Fact]
    public void A_release_with_a_later_checkpoint_than_the_last_report_moves_the_step_to_it()
    {
        var machine = Created();
        machine.TryAssign("w1");
        machine.ReportProgress("w1", new ProgressReport(6, 0.5, 1e-4, 10, null, 0), out _);
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
        Assert.Equal(WorkerDirective.Stop, machine.ReportProgress("w1", new ProgressReport(7, 0.5, 1e-4, 10, null, 0), out _));
        Assert.NotNull(machine.TryAssign("w2"));
    }
}
