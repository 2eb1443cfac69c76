using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.Abstractions;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Storage;

namespace PaletteCluster.Worker.Tests;

/// <summary>
/// The worker's half of a checkpoint's lifecycle: <see cref="CheckpointCommitter"/> against a real job grain and a
/// checkpoint store on disk, with every store write and job commit recorded in one ordered log.
/// </summary>
public sealed class CheckpointCommitterTests(JobClusterFixture cluster) : IClassFixture<JobClusterFixture>, IDisposable
{
    private const long Step = 42; // the fixture checkpoint's step
    private readonly string _root = Path.Combine(Path.GetTempPath(), "palette-committer-" + Guid.NewGuid().ToString("N"));
    private readonly string _jobId = "job-" + Guid.NewGuid().ToString("N");
    private readonly EventLog _log = new();
    private RecordingBlobStore? _blobs;

    private string LatestBlob => $"{_jobId}/checkpoints/{CheckpointStore.LatestPointer}";

    private IJobGrain Job => cluster.Client.GetGrain<IJobGrain>(_jobId);

    /// <summary>A job held by worker "w1", and a committer for it; with a store unless <paramref name="withStore"/> is false.</summary>
    private async Task<CheckpointCommitter> Committer(bool withStore = true, string workerId = "w1")
    {
        await Job.Create(new JobSpec { Name = "commit", Recipe = new() { Steps = 100 } });
        Assert.NotNull(await Job.TryAssign("w1"));
        CheckpointPublisher? publisher = null;
        if (withStore)
        {
            _blobs = new RecordingBlobStore(new FileSystemBlobStore(new FileSystemBlobStoreOptions { Root = Path.Combine(_root, "store") }, NullLogger.Instance), _log);
            var store = new CheckpointStore(_blobs, new CheckpointStoreOptions { Job = _jobId }, NullLogger.Instance);
            publisher = new CheckpointPublisher(store, _jobId, NullLogger.Instance);
        }
        var job = new RecordingJobGrain(Job, _log, () => _blobs is null ? "no store" : ReadLatest());
        return new CheckpointCommitter(job, workerId, publisher, NullLogger.Instance);
    }

    private string ReadLatest()
    {
        var path = Path.Combine(_root, "store", _jobId, "checkpoints", CheckpointStore.LatestPointer);
        return File.Exists(path) ? $"latest = {File.ReadAllText(path)}" : "no latest";
    }

    /// <summary>A local copy of the fixture checkpoint, as the trainer leaves it in the run folder.</summary>
    private string LocalCheckpoint()
    {
        var folder = Path.Combine(_root, "local", CheckpointFolders.StepFolderName(Step));
        Directory.CreateDirectory(folder);
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "step-00000042");
        foreach (var file in Directory.GetFiles(fixture))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    [Fact]
    public async Task The_checkpoint_is_published_completely_before_the_job_commits_it()
    {
        var committer = await Committer();
        var outcome = await committer.CommitAsync(LocalCheckpoint(), Step);

        var pointer = StoreCheckpointRef.Format(_jobId, Step);
        Assert.Equal(new CheckpointCommitOutcome(pointer, Committed: true), outcome);
        Assert.Equal((pointer, Step), committer.LastCommitted);

        var events = _log.Events;
        var folder = $"{_jobId}/checkpoints/step-00000042/";
        // Files, then the manifest (what makes the folder complete), then "latest", then the one commit on the job.
        Assert.Equal([
            $"upload {folder}ema.safetensors",
            $"upload {folder}model.safetensors",
            $"upload {folder}optimizer.safetensors",
        ], events.Take(3).Order(StringComparer.Ordinal));
        Assert.StartsWith($"write {folder}manifest.json = ", events[3]);
        Assert.Equal($"write {LatestBlob} = step-00000042", events[4]);
        Assert.Equal($"commit 42 {pointer} (sees: latest = step-00000042)", events[5]);
        Assert.Equal(6, events.Count);

        var status = (await Job.GetStatus())!;
        Assert.Equal((pointer, Step, Step), (status.Checkpoint, status.CheckpointStep, status.Step));
    }

    [Fact]
    public async Task A_checkpoint_that_fails_to_publish_is_never_committed()
    {
        var committer = await Committer();
        var local = LocalCheckpoint();
        var model = Path.Combine(local, CheckpointFiles.Model);
        File.WriteAllBytes(model, File.ReadAllBytes(model)[..^8]); // truncated on local disk

        var outcome = await committer.CommitAsync(local, Step);

        Assert.Equal(new CheckpointCommitOutcome(null, Committed: false), outcome);
        Assert.Null(committer.LastCommitted);
        Assert.Empty(_log.Events); // refused before the first byte left: no upload, no "latest", no commit
        var status = (await Job.GetStatus())!;
        Assert.Equal((null, 0L), (status.Checkpoint, status.CheckpointStep));
    }

    [Fact]
    public async Task A_store_outage_reaches_the_caller_and_commits_nothing()
    {
        var committer = await Committer();
        _blobs!.Unavailable = true;

        await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => committer.CommitAsync(LocalCheckpoint(), Step));

        Assert.DoesNotContain(_log.Events, e => e.StartsWith("commit", StringComparison.Ordinal));
        Assert.Null((await Job.GetStatus())!.Checkpoint);
    }

    [Fact]
    public async Task A_worker_that_does_not_hold_the_job_cannot_commit_even_a_published_checkpoint()
    {
        var committer = await Committer(workerId: "w2");
        var outcome = await committer.CommitAsync(LocalCheckpoint(), Step);

        // Durable in the store (a later holder may resume from it through "latest"), but not the job's pointer.
        Assert.Equal(new CheckpointCommitOutcome(StoreCheckpointRef.Format(_jobId, Step), Committed: false), outcome);
        Assert.Null(committer.LastCommitted);
        Assert.Equal($"write {LatestBlob} = step-00000042", _log.Events[^2]);
        Assert.Null((await Job.GetStatus())!.Checkpoint);
    }

    [Fact]
    public async Task Without_a_store_the_local_folder_is_committed_as_it_is()
    {
        var committer = await Committer(withStore: false);
        var local = LocalCheckpoint();

        Assert.Equal(new CheckpointCommitOutcome(local, Committed: true), await committer.CommitAsync(local, Step));
        Assert.Equal([$"commit 42 {local} (sees: no store)"], _log.Events);
        Assert.Equal(local, (await Job.GetStatus())!.Checkpoint);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
