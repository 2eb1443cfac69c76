using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Jobs;

/// <summary>Orleans shell around <see cref="JobStateMachine"/>: loads and writes the record, forwards metrics.</summary>
public sealed class JobGrain : Grain, IJobGrain
{
    private readonly IPersistentState<JobRecord> _record;
    private readonly TimeProvider _time;
    private readonly GrainWriteOptions _options;
    private readonly ILogger<JobGrain> _logger;
    private JobStateMachine _machine = null!;
    private WriteThrottle _progressWrites = null!;
    private bool _writeFailed;

    public JobGrain(
        [PersistentState("job", PaletteStorage.Name)] IPersistentState<JobRecord> record,
        TimeProvider time,
        IOptions<GrainWriteOptions> options,
        ILogger<JobGrain> logger)
    {
        _record = record;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    private string JobId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _machine = new JobStateMachine(JobId, _record.State.Status, _time);
        _progressWrites = new WriteThrottle(_options.ProgressWriteEveryReports, _options.ProgressWriteInterval, _time.GetUtcNow());
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Progress held back by the write policy is saved when the activation goes away gracefully.
        if (_progressWrites.Unsaved > 0 && !_writeFailed) await SaveAsync();
    }

    public async Task<JobStatus> Create(JobSpec spec)
    {
        var status = _machine.Create(spec);
        await SaveAsync();
        _logger.LogInformation("Job {JobId} created ({Steps} steps, task {Task})", JobId, spec.Steps, spec.Task);
        return status;
    }

    public Task<JobStatus?> GetStatus() => Task.FromResult(_machine.Current);

    public Task<JobStatus> Pause() => ChangeAsync(m => m.Pause(), "paused");

    public Task<JobStatus> Resume() => ChangeAsync(m => m.Resume(), "resumed");

    public Task<JobStatus> Cancel() => ChangeAsync(m => m.Cancel(), "cancelled");

    public async Task<Assignment?> TryAssign(string workerId)
    {
        var assignment = _machine.TryAssign(workerId);
        if (assignment is null) return null;
        await SaveAsync();
        _logger.LogInformation("Job {JobId} assigned to worker {WorkerId} (from checkpoint step {Step})",
            JobId, workerId, assignment.CheckpointStep);
        return assignment;
    }

    public async Task<WorkerDirective> ReportProgress(string workerId, ProgressReport report)
    {
        var directive = _machine.ReportProgress(workerId, report, out var checkpointMoved);
        if (directive == WorkerDirective.Stop)
        {
            _logger.LogDebug("Job {JobId} tells worker {WorkerId} to stop", JobId, workerId);
            return directive;
        }

        if (_progressWrites.Changed(_time.GetUtcNow(), mustWrite: checkpointMoved)) await SaveAsync();

        // The dashboard never calls back, so awaiting it cannot deadlock; a dashboard failure must not stop training.
        try
        {
            var point = new MetricPoint(report.Step, _time.GetUtcNow(), report.Loss, report.LearningRate, report.ImagesPerSecond);
            await GrainFactory.GetGrain<IDashboardGrain>(JobId).Record(point);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Job {JobId}: dashboard did not take the point at step {Step}", JobId, report.Step);
        }
        return directive;
    }

    public async Task Complete(string workerId, CompletionReport report)
    {
        await ChangeAsync(m => m.Complete(workerId, report), "completed");
    }

    public async Task Fail(string workerId, string error)
    {
        await ChangeAsync(m => m.Fail(workerId, error), "failed");
        _logger.LogWarning("Job {JobId} failed on worker {WorkerId}: {Error}", JobId, workerId, error);
    }

    public async Task Release(string workerId, string? checkpoint, long checkpointStep)
    {
        if (!_machine.Release(workerId, checkpoint, checkpointStep)) return;
        await SaveAsync();
        _logger.LogInformation("Worker {WorkerId} released job {JobId}, now {State}", workerId, JobId, _machine.Current!.State);
    }

    private async Task<JobStatus> ChangeAsync(Func<JobStateMachine, JobStatus> change, string what)
    {
        var status = change(_machine);
        await SaveAsync();
        _logger.LogInformation("Job {JobId} {What} (version {Version})", JobId, what, status.Version);
        return status;
    }

    private async Task SaveAsync()
    {
        _record.State.Status = _machine.Current;
        try
        {
            await _record.WriteStateAsync();
        }
        catch
        {
            // Memory is now ahead of storage: drop this activation so the next call starts from what was stored.
            _writeFailed = true;
            DeactivateOnIdle();
            throw;
        }
        _progressWrites.Written(_time.GetUtcNow());
    }
}
