namespace PaletteCluster.Api.Service;

/// <summary>Tuning of the job API's calls into the cluster (bind from configuration section "JobApi").</summary>
public sealed class JobApiOptions
{
    /// <summary>How often WatchJob asks the job grain for its version; a watcher sees changes at most this late.</summary>
    public TimeSpan WatchPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Tries of one grain call that the cluster rejected or did not answer in time, before Unavailable.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Wait before the first retry; doubled before each further one.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
