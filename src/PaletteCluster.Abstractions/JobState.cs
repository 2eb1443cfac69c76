namespace PaletteCluster.Abstractions;

/// <summary>
/// A job's life. Valid moves: Pending -> Running | Paused | Cancelled; Running -> Completed | Failed | Paused |
/// Cancelled | Pending (its worker was lost) | Suspended; Suspended -> Running (what it waited for is back) | Paused |
/// Cancelled | Failed | Pending (its worker was lost); Paused -> Pending (resume) | Cancelled. Completed, Failed and
/// Cancelled are final.
/// </summary>
public enum JobState
{
    Pending = 0,
    Running = 1,
    Paused = 2,
    Completed = 3,
    Failed = 4,
    Cancelled = 5,

    /// <summary>
    /// Paused by the system, not by a user: its worker holds it but cannot go on (the checkpoint store is
    /// unreachable) and resumes it by itself when the cause is gone. <see cref="JobStatus.SuspendedBecause"/> says why.
    /// </summary>
    Suspended = 6,
}
