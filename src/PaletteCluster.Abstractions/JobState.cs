namespace PaletteCluster.Abstractions;

/// <summary>
/// A job's life. Valid moves: Pending -> Running | Paused | Cancelled; Running -> Completed | Failed | Paused |
/// Cancelled | Pending (its worker was lost); Paused -> Pending (resume) | Cancelled. Completed, Failed and
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
}
