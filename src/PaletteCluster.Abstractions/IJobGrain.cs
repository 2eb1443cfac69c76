namespace PaletteCluster.Abstractions;

/// <summary>
/// One training job, keyed by job id. Owns the job's state machine, progress, checkpoint pointer (the single source
/// of truth for where the job resumes) and worker roster; persisted, so it survives deactivation and silo restarts. Invalid transitions throw
/// <see cref="InvalidJobTransitionException"/> and change nothing.
/// </summary>
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>Creates the job in Pending. Throws if a job with this id already exists.</summary>
    Task<JobStatus> Create(JobSpec spec);

    /// <summary>The job, or null if it was never created.</summary>
    Task<JobStatus?> GetStatus();

    Task<JobStatus> Pause();
    Task<JobStatus> Resume();
    Task<JobStatus> Cancel();

    /// <summary>Gives the job to this worker if it is Pending and wants a worker (it becomes Running); null otherwise.</summary>
    Task<Assignment?> TryAssign(string workerId);

    /// <summary>Records progress from an assigned worker; tells it whether to go on.</summary>
    Task<WorkerDirective> ReportProgress(string workerId, ProgressReport report);

    /// <summary>
    /// The one way a checkpoint becomes the job's resume point while it trains: a worker on the job's roster (the one
    /// training it, or one told to stop that has not released it yet) commits a checkpoint it has made durable. The
    /// pointer moves only forward (a newer step) and is persisted before this returns. True when the job now names
    /// this checkpoint or a newer one; false when refused (the caller is not on the roster, or the job is completed,
    /// failed or cancelled), and nothing changes then.
    /// </summary>
    Task<bool> CommitCheckpoint(string workerId, CheckpointCommit commit);

    /// <summary>The worker trained the job to its last step.</summary>
    Task Complete(string workerId, CompletionReport report);

    /// <summary>The worker could not go on (bad data, diverged): the job fails with this message.</summary>
    Task Fail(string workerId, string error);

    /// <summary>
    /// The assigned worker cannot go on for a reason that should pass (its checkpoint store is unreachable): the job
    /// becomes Suspended, still held by the worker, with the reason shown. Repeating it updates the reason.
    /// </summary>
    Task<JobStatus> Suspend(string workerId, string reason);

    /// <summary>
    /// The worker's cause for suspending is gone: a Suspended job it holds runs again (Continue). Stop when the
    /// job was paused or cancelled meanwhile, or is no longer this worker's: the worker then releases it.
    /// </summary>
    Task<WorkerDirective> Unsuspend(string workerId);

    /// <summary>
    /// The worker is known not to train the job any more (it restarted): it leaves the roster and a held job goes back
    /// to Pending, as when its heartbeats stop. False when it was not on the roster of a held job.
    /// </summary>
    Task<bool> DropWorker(string workerId, string reason);

    /// <summary>The worker stopped as told (pause/cancel) or is shutting down; its last checkpoint is given.</summary>
    Task Release(string workerId, string? checkpoint, long checkpointStep);
}
