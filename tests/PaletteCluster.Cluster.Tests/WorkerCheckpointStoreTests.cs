using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.Abstractions;
using PaletteCluster.Cli.Cluster;
using PaletteCluster.Storage;
using PaletteCluster.Testing;
using PaletteCluster.Training.Runtime;
using PaletteCluster.Worker;

namespace PaletteCluster.Cluster.Tests;

/// <summary>
/// A worker publishing to a checkpoint store, in this process with an embedded silo; the store is a real file-system
/// store behind a switch that makes it unreachable or slow. Covers the branches the Azurite tests do not: a pause
/// during an outage, a slow store, and jobs a worker cannot resume.
/// </summary>
public sealed class WorkerCheckpointStoreTests : IDisposable
{
    private readonly string _root = RealPhotos.NewTempDir("palette-worker-store");
    private readonly CollectingLogger _log = new();

    private JobSpec Spec(string name, long steps, long checkpointEvery) => new()
    {
        Name = name, Data = RealPhotos.CopyTo(Path.Combine(_root, "data"), 3),
        Recipe = new()
        {
            Task = "inpainting,colorization", ImageSize = 32, BatchSize = 2, Steps = steps, WarmupSteps = 5, CheckpointEvery = checkpointEvery,
            ReportEvery = 2, Samples = 0, Seed = 3,
        },
    };

    private SwitchableBlobStore NewStore() =>
        new(new FileSystemBlobStore(new FileSystemBlobStoreOptions { Root = Path.Combine(_root, "store") }, NullLogger.Instance));

    private WorkerOptions Worker(IBlobStore? store) => new()
    {
        StorageRoot = Path.Combine(_root, "storage"), WorkerId = "w", PollInterval = TimeSpan.FromMilliseconds(200),
        CheckpointBlobs = store is null ? null : new RetryingBlobStore(store,
            new BlobRetryOptions { FirstDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(300), GiveUpAfter = TimeSpan.FromSeconds(1) },
            NullLogger.Instance),
        StoreProbeInterval = TimeSpan.FromMilliseconds(200),
    };

    private static async Task<(InProcessCluster Cluster, IJobGrain Job)> Submit(string root, JobSpec spec)
    {
        var cluster = await InProcessCluster.Start(Path.Combine(root, "state"), b => b.SetMinimumLevel(LogLevel.Warning));
        var job = cluster.Grains.GetGrain<IJobGrain>(spec.Name);
        await job.Create(spec);
        await cluster.Grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).AddJob(spec.Name);
        return (cluster, job);
    }

    [Fact]
    public async Task A_job_paused_while_suspended_for_a_store_outage_is_released_at_its_newest_published_checkpoint_and_completes_after_resume()
    {
        var device = TorchRuntime.Initialize("cpu", null);
        var store = NewStore();
        var (cluster, job) = await Submit(_root, Spec("outage", steps: 40, checkpointEvery: 10));
        await using var running = cluster;
        cluster.StartWorker(Worker(store), device, _log);

        var published = await JobWaits.Until(job, s => s.CheckpointStep >= 10, "the first published checkpoint");
        store.Down = true;
        var suspended = await JobWaits.Until(job, s => s.State == JobState.Suspended, "the job to be suspended");
        Assert.Equal(["w"], suspended.Workers);
        Assert.Contains("unreachable", suspended.SuspendedBecause);
        Assert.True(StoreCheckpointRef.TryParse(suspended.Checkpoint, out _, out var named), suspended.Checkpoint);
        Assert.Equal(suspended.CheckpointStep, named);

        await job.Pause();
        var released = await JobWaits.Until(job, s => s.Workers.Count == 0, "the worker to release the paused job");
        Assert.Equal(JobState.Paused, released.State);
        Assert.Null(released.SuspendedBecause);
        // Only what reached the store counts: the checkpoint written when training stopped was never published.
        Assert.Equal(suspended.CheckpointStep, released.CheckpointStep);
        Assert.Equal(suspended.Checkpoint, released.Checkpoint);
        Assert.InRange(released.CheckpointStep, published.CheckpointStep, 30);

        store.Down = false;
        await job.Resume();
        var done = await JobWaits.Until(job, s => s.State is JobState.Completed or JobState.Failed, "the resumed job to finish");
        Assert.True(done.State == JobState.Completed, $"{done.Error}\n{_log.Text}");
        Assert.Equal(StoreCheckpointRef.Format("outage", 40), done.Checkpoint);
        Assert.Contains(_log.Lines, l => l.Contains("Job suspended: checkpoint store"));
        Assert.Contains(_log.Lines, l => l.Contains("no longer waits for this worker"));
    }

    [Fact]
    public async Task A_slow_store_gets_the_newest_checkpoint_and_skips_the_ones_written_while_it_was_busy()
    {
        var device = TorchRuntime.Initialize("cpu", null);
        var store = NewStore();
        var slow = new TaskCompletionSource();
        store.UploadGate = slow.Task; // the first upload hangs until the job is at step 20
        var (cluster, job) = await Submit(_root, Spec("slow", steps: 30, checkpointEvery: 2));
        await using var running = cluster;
        cluster.StartWorker(Worker(store) with { MaxJobs = 1 }, device, _log);

        var seen = new List<long>();
        JobStatus status;
        do
        {
            status = (await job.GetStatus())!;
            if (status.Step >= 20) slow.TrySetResult();
            if (status.CheckpointStep > 0 && (seen.Count == 0 || seen[^1] != status.CheckpointStep)) seen.Add(status.CheckpointStep);
            await Task.Delay(50);
        } while (status.State is JobState.Pending or JobState.Running);
        Assert.True(status.State == JobState.Completed, $"{status.Error}\n{_log.Text}");
        Assert.Equal(30, status.CheckpointStep);

        var published = _log.Lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"Checkpoint step (\d+) published to the store"))
            .Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value)).ToHashSet();
        // Step 2 was uploading while steps 4 to 20 were written: only the newest of those waited, the rest were skipped.
        Assert.Contains(2L, published);
        Assert.DoesNotContain(4L, published);
        Assert.DoesNotContain(6L, published);
        Assert.Contains(30L, published);
        Assert.Contains(_log.Lines, l => l.Contains("not published: a newer one was written"));
        // The job only ever named checkpoints that were in the store, and never went back.
        Assert.All(seen, step => Assert.Contains(step, published));
        Assert.Equal(seen.Order(), seen);
    }

    [Fact]
    public async Task A_worker_without_a_store_fails_a_job_whose_checkpoint_is_in_a_store_and_says_how_to_fix_it()
    {
        var device = TorchRuntime.Initialize("cpu", null);
        var (cluster, job) = await Submit(_root, Spec("elsewhere", steps: 20, checkpointEvery: 10));
        await using var running = cluster;
        await HandBackAt(job, StoreCheckpointRef.Format("elsewhere", 10), 10);
        cluster.StartWorker(Worker(null) with { MaxJobs = 1 }, device, _log);

        var failed = await JobWaits.Until(job, s => s.State == JobState.Failed, "the job to fail");
        Assert.Contains("start this worker with --checkpoint-store", failed.Error);
        Assert.Equal(10, failed.CheckpointStep); // nothing else changed
    }

    [Fact]
    public async Task A_worker_whose_store_has_no_checkpoint_for_a_job_past_step_0_fails_it_instead_of_restarting_from_scratch()
    {
        var device = TorchRuntime.Initialize("cpu", null);
        var (cluster, job) = await Submit(_root, Spec("lost", steps: 20, checkpointEvery: 10));
        await using var running = cluster;
        await HandBackAt(job, StoreCheckpointRef.Format("lost", 10), 10);
        cluster.StartWorker(Worker(NewStore()) with { MaxJobs = 1 }, device, _log);

        var failed = await JobWaits.Until(job, s => s.State == JobState.Failed, "the job to fail");
        Assert.Contains("has no usable checkpoint", failed.Error);
        Assert.Contains("refusing to restart it from scratch", failed.Error);
    }

    /// <summary>As if another worker trained the job to a checkpoint and handed it back.</summary>
    private static async Task HandBackAt(IJobGrain job, string checkpoint, long step)
    {
        Assert.NotNull(await job.TryAssign("earlier"));
        await job.ReportProgress("earlier", new ProgressReport(step, 0.5, 1e-4, 10));
        Assert.True(await job.CommitCheckpoint("earlier", new CheckpointCommit(step, checkpoint)));
        await job.Release("earlier", checkpoint, step);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
