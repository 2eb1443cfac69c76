using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Jobs;

/// <summary>
/// Orleans shell around <see cref="JobStateMachine"/>: loads and writes the record, forwards metrics, and while the
/// job runs, watches its workers' heartbeats (a timer, plus a durable reminder that brings the job back after its
/// silo died) so a job whose worker was killed goes back to Pending for another worker.
/// </summary>
public sealed class JobGrain : Grain, IJobGrain, IRemindable
{
    private const string WatchdogReminder = "watchdog";
    private readonly IPersistentState<JobRecord> _record;
    private readonly TimeProvider _time;
    private readonly GrainWriteOptions _options;
    private readonly JobWatchdogOptions _watch;
    private readonly ILogger<JobGrain> _logger;
    private IGrainTimer? _watchdog;
    private JobStateMachine _machine = null!;
    private WriteThrottle _progressWrites = null!;
    private bool _writeFailed;

    public JobGrain(
        [PersistentState("job", PaletteStorage.Name)] IPersistentState<JobRecord> record,
        TimeProvider time,
        IOptions<GrainWriteOptions> options,
        IOptions<JobWatchdogOptions> watch,
        ILogger<JobGrain> logger)
    {
        _record = record;
        _time = time;
        _options = options.Value;
        _watch = watch.Value;
        _logger = logger;
    }

    private string JobId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _machine = new JobStateMachine(JobId, _record.State.Status, _time);
        _progressWrites = new WriteThrottle(_options.ProgressWriteEveryReports, _options.ProgressWriteInterval, _time.GetUtcNow());
        if (_machine.Current is { } job && JobStateMachine.IsHeld(job.State)) StartWatchdog();
        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Being called is the point: the activation (and with it the heartbeat timer) exists again.
        if (_machine.Current is { } job && JobStateMachine.IsHeld(job.State)) await CheckWorkers(CancellationToken.None);
        else await SyncWatchdog();
    }

    private void StartWatchdog() =>
        _watchdog ??= this.RegisterGrainTimer(CheckWorkers, _watch.CheckInterval, _watch.CheckInterval);

    /// <summary>Timer and reminder exist exactly while a worker holds the job (Running or Suspended).</summary>
    private async Task SyncWatchdog()
    {
        if (_machine.Current is { } job && JobStateMachine.IsHeld(job.State))
        {
            StartWatchdog();
            await this.RegisterOrUpdateReminder(WatchdogReminder, _watch.ReminderPeriod, _watch.ReminderPeriod);
            return;
        }
        _watchdog?.Dispose();
        _watchdog = null;
        if (await this.GetReminder(WatchdogReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }

    private async Task CheckWorkers(CancellationToken cancel)
    {
        var job = _machine.Current;
        if (job is null || !JobStateMachine.IsHeld(job.State))
        {
            await SyncWatchdog();
            return;
        }
        var now = _time.GetUtcNow();
        foreach (var workerId in job.Workers.ToList())
        {
            WorkerInfo? info;
            try
            {
                // Bounded: this grain takes no other call while it waits, and a call caught in a dying silo can hang.
                info = await GrainFactory.GetGrain<IWorkerGrain>(workerId).GetInfo().WaitAsync(_watch.CheckInterval, cancel);
            }
            catch (Exception e) when (e is TimeoutException || GrainCallRetry.IsTransient(e))
            {
                continue; // the cluster is changing: judge at the next tick, not on a failed call
            }
            var silent = info is null ? TimeSpan.MaxValue : now - info.LastHeartbeat;
            if (info is { Active: true } && silent <= _watch.WorkerTimeout) continue;
            string reason = info switch
            {
                null => $"worker {workerId} is unknown to the cluster",
                { Active: false } => $"worker {workerId} left without releasing the job",
                _ => $"worker {workerId} lost: no heartbeat for {silent.TotalSeconds:F0} s (timeout {_watch.WorkerTimeout.TotalSeconds:F0} s)",
            };
            if (!_machine.WorkerLost(workerId, reason)) continue;
            await SaveAsync();
            _logger.LogWarning("Job {JobId}: {Reason}; back to {State} from checkpoint step {Step}", JobId, reason,
                _machine.Current!.State, _machine.Current.CheckpointStep);
        }
        if (!JobStateMachine.IsHeld(_machine.Current!.State)) await SyncWatchdog();
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
        _logger.LogInformation("Job {JobId} created ({Steps} steps, task {Task})", JobId, spec.Recipe.Steps, spec.Recipe.Task);
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
        await SyncWatchdog();
        _logger.LogInformation("Job {JobId} assigned to worker {WorkerId} (from checkpoint step {Step})",
            JobId, workerId, assignment.CheckpointStep);
        return assignment;
    }

    public async Task<WorkerDirective> ReportProgress(string workerId, ProgressReport report)
    {
        var directive = _machine.ReportProgress(workerId, report);
        if (directive == WorkerDirective.Stop)
        {
            _logger.LogDebug("Job {JobId} tells worker {WorkerId} to stop", JobId, workerId);
            return directive;
        }

        if (_progressWrites.Changed(_time.GetUtcNow())) await SaveAsync();

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

    public async Task<bool> CommitCheckpoint(string workerId, CheckpointCommit commit)
    {
        if (!_machine.CommitCheckpoint(workerId, commit, out var moved))
        {
            _logger.LogWarning("Job {JobId}: refused checkpoint step {Step} from worker {WorkerId}, which is not on its roster (or the job is over)",
                JobId, commit.Step, workerId);
            return false;
        }
        if (!moved) return true;
        // Written before answering: once the worker hears "committed", a crash of this silo cannot take it back.
        await SaveAsync();
        _logger.LogInformation("Job {JobId}: checkpoint step {Step} committed by worker {WorkerId} ({Pointer})",
            JobId, commit.Step, workerId, commit.Pointer);
        return true;
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

    public async Task<JobStatus> Suspend(string workerId, string reason)
    {
        var before = _machine.Current?.Version;
        var status = _machine.Suspend(workerId, reason);
        if (status.Version == before) return status; // same reason again: nothing to write
        await SaveAsync();
        _logger.LogWarning("Job {JobId} suspended by worker {WorkerId}: {Reason}", JobId, workerId, reason);
        return status;
    }

    public async Task<WorkerDirective> Unsuspend(string workerId)
    {
        var wasSuspended = _machine.Current?.State == JobState.Suspended;
        var directive = _machine.Unsuspend(workerId);
        if (wasSuspended && _machine.Current!.State == JobState.Running)
        {
            await SaveAsync();
            _logger.LogInformation("Job {JobId} running again on worker {WorkerId}", JobId, workerId);
        }
        return directive;
    }

    public async Task<bool> DropWorker(string workerId, string reason)
    {
        if (!_machine.WorkerLost(workerId, reason)) return false;
        await SaveAsync();
        await SyncWatchdog();
        _logger.LogWarning("Job {JobId}: {Reason}; back to {State} from checkpoint step {Step}", JobId, reason,
            _machine.Current!.State, _machine.Current.CheckpointStep);
        return true;
    }

    public async Task Release(string workerId, string? checkpoint, long checkpointStep)
    {
        if (!_machine.Release(workerId, checkpoint, checkpointStep)) return;
        await SaveAsync();
        await SyncWatchdog();
        _logger.LogInformation("Worker {WorkerId} released job {JobId}, now {State}", workerId, JobId, _machine.Current!.State);
    }

    private async Task<JobStatus> ChangeAsync(Func<JobStateMachine, JobStatus> change, string what)
    {
        var status = change(_machine);
        await SaveAsync();
        await SyncWatchdog();
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
