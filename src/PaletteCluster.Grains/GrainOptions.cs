namespace PaletteCluster.Grains;

/// <summary>
/// How often grains with chatty callers write their state. Progress reports and heartbeats arrive every few
/// seconds per worker; writing each one would make storage the bottleneck, and losing a few seconds of them on a
/// crash costs nothing (the next report restores them). Checkpoint pointers are always written at once.
/// </summary>
public sealed class GrainWriteOptions
{
    /// <summary>A job writes after at most this many progress reports without a write.</summary>
    public int ProgressWriteEveryReports { get; set; } = 10;

    /// <summary>A job writes when its last write is at least this old.</summary>
    public TimeSpan ProgressWriteInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A worker writes a heartbeat when its last write is at least this old.</summary>
    public TimeSpan HeartbeatWriteInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>How much of a job's training curves the dashboard keeps, and how often it writes them.</summary>
public sealed class DashboardOptions
{
    /// <summary>Above this many points the oldest half is thinned to every other point.</summary>
    public int MaxPoints { get; set; } = 2000;

    /// <summary>The series is written after at most this many new points without a write.</summary>
    public int WriteEveryPoints { get; set; } = 20;

    /// <summary>The series is written when its last write is at least this old.</summary>
    public TimeSpan WriteInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>How a running job notices that its worker died (process killed, machine lost).</summary>
public sealed class JobWatchdogOptions
{
    /// <summary>A worker with no heartbeat for this long is declared lost and its job goes back to Pending.</summary>
    public TimeSpan WorkerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running job checks its workers' heartbeats.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Period of the durable reminder that reactivates a running job after its silo died, so the check resumes even
    /// if nobody calls the job (Orleans' minimum reminder period is one minute by default).
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
