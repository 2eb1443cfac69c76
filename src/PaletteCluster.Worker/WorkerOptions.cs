using Microsoft.Extensions.Logging;
using PaletteCluster.Storage;

namespace PaletteCluster.Worker;

/// <summary>How a worker process behaves (bound from configuration / CLI options).</summary>
public sealed record WorkerOptions
{
    /// <summary>Stable id of this worker; defaults to host name + process id.</summary>
    public string WorkerId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";
    /// <summary>Where job run folders (checkpoints, samples) are written: storage every worker can reach, unless a checkpoint store is set.</summary>
    public required string StorageRoot { get; init; }
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How often an idle worker asks for work.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Shard leases last this long unless renewed (renewed at a third of it).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Exit after this many jobs (0: serve forever). Used by `palette train job.yaml`.</summary>
    public int MaxJobs { get; init; }

    /// <summary>
    /// Blob store that checkpoints are published to and restored from (see <see cref="CheckpointStore"/>); then
    /// <see cref="StorageRoot"/> only needs to be local. Null: checkpoints stay in <see cref="StorageRoot"/>, which all
    /// workers must share.
    /// </summary>
    public IBlobStore? CheckpointBlobs { get; init; }
    /// <summary>Retention in the store: the newest this many checkpoints are kept...</summary>
    public int CheckpointKeepLast { get; init; } = 3;
    /// <summary>...plus every this-many-th checkpoint (step a multiple of this times the job's checkpoint interval); 0: none.</summary>
    public int CheckpointKeepEveryNth { get; init; } = 10;
    /// <summary>While a job is suspended for a store outage, how often the store is asked whether it answers again.</summary>
    public TimeSpan StoreProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where shard sets named by a blob-store location are cached (verified copies, reused across jobs).</summary>
    public string DataCacheRoot { get; init; } = PaletteCluster.Data.Shards.ShardDataLocation.DefaultCacheRoot();

    /// <summary>Write checkpoints on the training thread (for comparison with background writes; PALETTE_SYNC_CHECKPOINTS).</summary>
    public bool SynchronousCheckpoints { get; init; }
    /// <summary>Batches made ahead while training; null: the device's default (PALETTE_PREFETCH overrides it).</summary>
    public int? PrefetchDepth { get; init; }

    public string JobFolder(string jobId) => Path.Combine(StorageRoot, "jobs", jobId);

    /// <summary>The job's checkpoints in <see cref="CheckpointBlobs"/>, or null when no store is configured.</summary>
    public CheckpointStore? CheckpointsOf(string jobId, long checkpointEvery, ILogger logger) => CheckpointBlobs is null ? null
        : new CheckpointStore(CheckpointBlobs, new CheckpointStoreOptions
        {
            Job = jobId,
            Retention = new CheckpointRetention { KeepLast = CheckpointKeepLast, KeepEvery = CheckpointKeepEveryNth * checkpointEvery },
        }, logger);
}
