using PaletteCluster.Abstractions;

namespace PaletteCluster.Worker.Tests;

/// <summary>
/// The real job grain behind a recorder: commits are appended to a shared event log (with what
/// <paramref name="atCommit"/> sees at that moment), every other call is passed straight through.
/// </summary>
internal sealed class RecordingJobGrain(IJobGrain inner, EventLog log, Func<string>? atCommit = null) : IJobGrain
{
    public async Task<bool> CommitCheckpoint(string workerId, CheckpointCommit commit)
    {
        log.Add($"commit {commit.Step} {commit.Pointer} (sees: {atCommit?.Invoke()})");
        return await inner.CommitCheckpoint(workerId, commit);
    }

    public Task<JobStatus> Create(JobSpec spec) => inner.Create(spec);
    public Task<JobStatus?> GetStatus() => inner.GetStatus();
    public Task<JobStatus> Pause() => inner.Pause();
    public Task<JobStatus> Resume() => inner.Resume();
    public Task<JobStatus> Cancel() => inner.Cancel();
    public Task<Assignment?> TryAssign(string workerId) => inner.TryAssign(workerId);
    public Task<WorkerDirective> ReportProgress(string workerId, ProgressReport report) => inner.ReportProgress(workerId, report);
    public Task Complete(string workerId, CompletionReport report) => inner.Complete(workerId, report);
    public Task Fail(string workerId, string error) => inner.Fail(workerId, error);
    public Task<JobStatus> Suspend(string workerId, string reason) => inner.Suspend(workerId, reason);
    public Task<WorkerDirective> Unsuspend(string workerId) => inner.Unsuspend(workerId);
    public Task<bool> DropWorker(string workerId, string reason) => inner.DropWorker(workerId, reason);
    public Task Release(string workerId, string? checkpoint, long checkpointStep) => inner.Release(workerId, checkpoint, checkpointStep);
}

/// <summary>What happened, in order, across the store and the job.</summary>
internal sealed class EventLog
{
    private readonly List<string> _events = [];

    public void Add(string e)
    {
        lock (_events) _events.Add(e);
    }

    public IReadOnlyList<string> Events
    {
        get { lock (_events) return _events.ToList(); }
    }
}
