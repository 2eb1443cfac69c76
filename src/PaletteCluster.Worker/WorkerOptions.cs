namespace PaletteCluster.Worker;

/// <summary>How a worker process behaves (bound from configuration / CLI options).</summary>
public sealed record WorkerOptions
{
    /// <summary>Stable id of this worker; defaults to host name + process id.</summary>
    public string WorkerId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";
    /// <summary>Where job run folders (checkpoints, samples) are written: storage every worker can reach.</summary>
    public required string StorageRoot { get; init; }
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How often an idle worker asks for work.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Shard leases last this long unless renewed (renewed at a third of it).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Exit after this many jobs (0: serve forever). Used by `palette train job.yaml`.</summary>
    public int MaxJobs { get; init; }

    public string JobFolder(string jobId) => Path.Combine(StorageRoot, "jobs", jobId);
}
