using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Grains.Jobs;

namespace PaletteCluster.Grains.Cluster;

/// <summary>
/// The index of jobs and workers and the place idle workers ask for work. Being a single non-reentrant grain,
/// it serializes RequestWork calls; the job grain's own TryAssign rule is what guarantees one worker per job.
/// </summary>
public sealed class ClusterDirectoryGrain : Grain, IClusterDirectoryGrain
{
    private readonly IPersistentState<DirectoryRecord> _record;
    private readonly ILogger<ClusterDirectoryGrain> _logger;

    public ClusterDirectoryGrain(
        [PersistentState("directory", PaletteStorage.Name)] IPersistentState<DirectoryRecord> record,
        ILogger<ClusterDirectoryGrain> logger)
    {
        _record = record;
        _logger = logger;
    }

    public async Task AddJob(string jobId)
    {
        if (_record.State.Jobs.Contains(jobId)) return;
        _record.State.Jobs.Add(jobId);
        _record.State.OpenJobs.Add(jobId);
        await _record.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ListJobs() => Task.FromResult<IReadOnlyList<string>>([.. _record.State.Jobs]);

    public async Task AddWorker(string workerId)
    {
        if (_record.State.Workers.Contains(workerId)) return;
        _record.State.Workers.Add(workerId);
        await _record.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ListWorkers() => Task.FromResult<IReadOnlyList<string>>([.. _record.State.Workers]);

    public async Task<Assignment?> RequestWork(string workerId)
    {
        Assignment? assignment = null;
        var closed = new List<string>();
        foreach (var jobId in _record.State.OpenJobs)
        {
            var job = GrainFactory.GetGrain<IJobGrain>(jobId);
            var status = await job.GetStatus();
            if (status is null) continue; // added ahead of its Create: may still come
            if (JobStateMachine.IsFinal(status.State))
            {
                // Final jobs never want a worker again: stop asking them on every request.
                closed.Add(jobId);
                continue;
            }
            if (status.State != JobState.Pending || status.Workers.Count > 0) continue;

            assignment = await job.TryAssign(workerId);
            if (assignment is not null) break;
        }

        if (closed.Count > 0)
        {
            _record.State.OpenJobs.RemoveAll(closed.Contains);
            await _record.WriteStateAsync();
        }
        if (assignment is not null)
            _logger.LogInformation("Worker {WorkerId} gets job {JobId}", workerId, assignment.JobId);
        return assignment;
    }

    public async Task<IReadOnlyList<string>> ReleaseJobsOf(string workerId, string reason)
    {
        var dropped = new List<string>();
        foreach (var jobId in _record.State.OpenJobs)
        {
            var job = GrainFactory.GetGrain<IJobGrain>(jobId);
            if (await job.GetStatus() is not { } status || !status.Workers.Contains(workerId)) continue;
            if (await job.DropWorker(workerId, reason)) dropped.Add(jobId);
        }
        if (dropped.Count > 0)
            _logger.LogWarning("Worker {WorkerId} restarted: taken off job(s) {Jobs}", workerId, string.Join(", ", dropped));
        return dropped;
    }
}
