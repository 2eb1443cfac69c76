namespace PaletteCluster.Abstractions;

/// <summary>
/// The cluster's index of jobs and workers (one instance, key <see cref="Key"/>), and the place idle workers ask
/// for work. Calls job grains; job grains never call it (no call cycles between non-reentrant grains).
/// </summary>
public interface IClusterDirectoryGrain : IGrainWithStringKey
{
    public const string Key = "cluster";

    Task AddJob(string jobId);
    Task<IReadOnlyList<string>> ListJobs();

    Task AddWorker(string workerId);
    Task<IReadOnlyList<string>> ListWorkers();

    /// <summary>Finds a job that wants a worker and assigns it to this one (oldest first); null when none does.</summary>
    Task<Assignment?> RequestWork(string workerId);

    /// <summary>
    /// A worker process (re)started under this id: it holds no job, whatever the jobs' rosters say (a restart within
    /// the heartbeat timeout looks alive to them). Every open job it is on loses it, with <paramref name="reason"/>;
    /// returns those jobs' ids.
    /// </summary>
    Task<IReadOnlyList<string>> ReleaseJobsOf(string workerId, string reason);
}
