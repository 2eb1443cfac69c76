using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Jobs;

/// <summary>
/// One job's rules, without Orleans: which moves <see cref="JobState"/> allows, who may report, and how a report,
/// completion or release changes the job. Every accepted change replaces <see cref="Current"/> with a new status
/// whose Version is one higher; a refused request throws (or returns null/Stop) and leaves Current untouched.
/// </summary>
public sealed class JobStateMachine
{
    private readonly string _jobId;
    private readonly TimeProvider _time;

    public JobStateMachine(string jobId, JobStatus? current, TimeProvider time)
    {
        _jobId = jobId;
        _time = time;
        Current = current;
    }

    /// <summary>The job as it stands; null until created.</summary>
    public JobStatus? Current { get; private set; }

    /// <summary>The moves documented on <see cref="JobState"/>; final states allow none.</summary>
    public static bool CanMove(JobState from, JobState to) => (from, to) switch
    {
        (JobState.Pending, JobState.Running or JobState.Paused or JobState.Cancelled) => true,
        (JobState.Running, JobState.Completed or JobState.Failed or JobState.Paused or JobState.Cancelled or JobState.Pending or JobState.Suspended) => true,
        (JobState.Suspended, JobState.Running or JobState.Failed or JobState.Paused or JobState.Cancelled or JobState.Pending) => true,
        (JobState.Paused, JobState.Pending or JobState.Cancelled) => true,
        _ => false,
    };

    public static bool IsFinal(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Cancelled;

    /// <summary>A worker holds the job and must be watched: it trains it, or waits with it for storage to come back.</summary>
    public static bool IsHeld(JobState state) => state is JobState.Running or JobState.Suspended;

    public JobStatus Create(JobSpec spec)
    {
        if (Current is not null) throw new InvalidOperationException($"job '{_jobId}' already exists");
        var now = _time.GetUtcNow();
        Current = new JobStatus
        {
            JobId = _jobId,
            Spec = spec,
            State = JobState.Pending,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        return Current;
    }

    public JobStatus Pause() => Commit(Move(Existing(), JobState.Paused, "pause") with { SuspendedBecause = null });

    public JobStatus Cancel() => Commit(Move(Existing(), JobState.Cancelled, "cancel") with { SuspendedBecause = null });

    /// <summary>Paused -> Pending only; Running -> Pending is the lost-worker move, not a resume.</summary>
    public JobStatus Resume()
    {
        var job = Existing();
        if (job.State != JobState.Paused) throw new InvalidJobTransitionException(_jobId, job.State, "resume");
        return Commit(job with { State = JobState.Pending });
    }

    /// <summary>
    /// Pending and held by no worker: the worker gets it and it runs. A paused-then-resumed job whose old worker
    /// has not released it yet stays unassigned, so two workers never train it at once.
    /// </summary>
    public Assignment? TryAssign(string workerId)
    {
        var job = Current;
        if (job is null || job.State != JobState.Pending || job.Workers.Count > 0) return null;
        Commit(job with { State = JobState.Running, Workers = [workerId] });
        return new Assignment(_jobId, job.Spec, job.Checkpoint, job.CheckpointStep);
    }

    /// <summary>
    /// Records a report (metrics only) from the assigned worker of a running job; anyone else is told to stop and
    /// nothing is recorded. A report never moves the checkpoint pointer: <see cref="CommitCheckpoint"/> does.
    /// </summary>
    public WorkerDirective ReportProgress(string workerId, ProgressReport report)
    {
        var job = Current;
        // A report sent just before the worker suspended the job may arrive after: record it, it changes no state.
        if (job is null || !IsHeld(job.State) || !job.Workers.Contains(workerId)) return WorkerDirective.Stop;

        Commit(job with
        {
            Step = report.Step,
            Loss = report.Loss,
            LearningRate = report.LearningRate,
            ImagesPerSecond = report.ImagesPerSecond,
        });
        return WorkerDirective.Continue;
    }

    /// <summary>
    /// A worker on the roster commits a durable checkpoint as the job's resume point: the worker training it, or one
    /// told to stop (paused) that has not released it yet, whose last checkpoint is the newest. The pointer only
    /// moves forward: a commit for an older step (a late retry) changes nothing. Returns false when the worker is not
    /// on the roster or the job is final (nothing changes), true otherwise; <paramref name="moved"/> says whether the
    /// pointer advanced (the caller must persist before answering).
    /// </summary>
    public bool CommitCheckpoint(string workerId, CheckpointCommit commit, out bool moved)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentException.ThrowIfNullOrWhiteSpace(commit.Pointer);
        ArgumentOutOfRangeException.ThrowIfNegative(commit.Step);
        moved = false;
        var job = Current;
        if (job is null || IsFinal(job.State) || !job.Workers.Contains(workerId)) return false;
        if (!IsNewerCheckpoint(job, commit.Pointer, commit.Step)) return true;
        Commit(job with { Checkpoint = commit.Pointer, CheckpointStep = commit.Step, Step = Math.Max(job.Step, commit.Step) });
        moved = true;
        return true;
    }

    public JobStatus Complete(string workerId, CompletionReport report)
    {
        var job = AssignedTo(workerId, "complete");
        var done = Move(job, JobState.Completed, "complete") with
        {
            Step = report.Step,
            SampleGrid = report.SampleGrid,
            Workers = [],
        };
        // The final checkpoint is recorded even at the same step: it is the one the completion refers to.
        if (report.Checkpoint is not null && report.Step >= job.CheckpointStep)
            done = done with { Checkpoint = report.Checkpoint, CheckpointStep = report.Step };
        return Commit(done);
    }

    public JobStatus Fail(string workerId, string error)
    {
        var job = AssignedTo(workerId, "fail");
        return Commit(Move(job, JobState.Failed, "fail") with { Error = error, Workers = [], SuspendedBecause = null });
    }

    /// <summary>
    /// The assigned worker cannot go on for now (its checkpoint store is unreachable): Running -> Suspended, the
    /// worker stays on the roster (and under the heartbeat watch). Repeating it while Suspended updates the reason.
    /// </summary>
    public JobStatus Suspend(string workerId, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var job = AssignedTo(workerId, "suspend");
        if (job.State == JobState.Suspended)
            return job.SuspendedBecause == reason ? job : Commit(job with { SuspendedBecause = reason });
        return Commit(Move(job, JobState.Suspended, "suspend") with { SuspendedBecause = reason });
    }

    /// <summary>
    /// Suspended -> Running for the worker that holds it (Running already: Continue, unsuspends are retried). Stop
    /// when the job was paused or cancelled meanwhile, or is no longer the worker's; nothing changes then.
    /// </summary>
    public WorkerDirective Unsuspend(string workerId)
    {
        var job = Current;
        if (job is null || !IsHeld(job.State) || !job.Workers.Contains(workerId)) return WorkerDirective.Stop;
        if (job.State == JobState.Suspended) Commit(job with { State = JobState.Running, SuspendedBecause = null });
        return WorkerDirective.Continue;
    }

    /// <summary>
    /// The worker lets go: it leaves the roster, its checkpoint is kept if newer, and a job still Running (the
    /// worker is shutting down on its own) goes back to Pending for another worker. A worker not on the roster
    /// changes nothing (releases are retried). Returns whether anything changed.
    /// </summary>
    public bool Release(string workerId, string? checkpoint, long checkpointStep)
    {
        var job = Current;
        if (job is null || !job.Workers.Contains(workerId)) return false;

        var workers = job.Workers.Where(w => w != workerId).ToArray();
        var released = job with { Workers = workers };
        if (IsNewerCheckpoint(job, checkpoint, checkpointStep))
            released = released with { Checkpoint = checkpoint, CheckpointStep = checkpointStep, Step = Math.Max(job.Step, checkpointStep) };
        if (IsHeld(job.State) && workers.Length == 0)
            released = released with { State = JobState.Pending, SuspendedBecause = null };
        Commit(released);
        return true;
    }

    /// <summary>
    /// The worker stopped answering (no heartbeat within the timeout, or it is gone): it leaves the roster and a
    /// running (or suspended) job goes back to Pending, to be resumed from its checkpoint by another worker. The reason is kept
    /// as the job's last error. If the lost worker comes back, its reports are refused (it is no longer assigned).
    /// </summary>
    public bool WorkerLost(string workerId, string reason)
    {
        var job = Current;
        if (job is null || !IsHeld(job.State) || !job.Workers.Contains(workerId)) return false;
        var workers = job.Workers.Where(w => w != workerId).ToArray();
        Commit(workers.Length == 0
            ? job with { Workers = workers, State = JobState.Pending, Error = reason, SuspendedBecause = null }
            : job with { Workers = workers, Error = reason });
        return true;
    }

    private static bool IsNewerCheckpoint(JobStatus job, string? checkpoint, long step) =>
        checkpoint is not null && (job.Checkpoint is null || step > job.CheckpointStep);

    private JobStatus Existing() =>
        Current ?? throw new InvalidOperationException($"job '{_jobId}' does not exist");

    private JobStatus AssignedTo(string workerId, string action)
    {
        var job = Existing();
        if (!job.Workers.Contains(workerId))
            throw new InvalidJobTransitionException(_jobId, job.State, $"{action} (worker '{workerId}' is not assigned)");
        return job;
    }

    private JobStatus Move(JobStatus job, JobState to, string action) =>
        CanMove(job.State, to) ? job with { State = to } : throw new InvalidJobTransitionException(_jobId, job.State, action);

    private JobStatus Commit(JobStatus next)
    {
        Current = next with { Version = next.Version + 1, UpdatedAt = _time.GetUtcNow() };
        return Current;
    }
}
