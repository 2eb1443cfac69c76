using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Workers;

/// <summary>
/// A worker process as the cluster sees it. Registering also lists the worker in the cluster directory (the
/// directory never calls workers, so the call cannot cycle). Heartbeats are written at most every
/// <see cref="GrainWriteOptions.HeartbeatWriteInterval"/> unless the current job changed.
/// </summary>
public sealed class WorkerGrain : Grain, IWorkerGrain
{
    private readonly IPersistentState<WorkerRecord> _record;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkerGrain> _logger;
    private readonly WriteThrottle _writes;

    public WorkerGrain(
        [PersistentState("worker", PaletteStorage.Name)] IPersistentState<WorkerRecord> record,
        TimeProvider time,
        IOptions<GrainWriteOptions> options,
        ILogger<WorkerGrain> logger)
    {
        _record = record;
        _time = time;
        _logger = logger;
        // Only the interval counts for heartbeats, never the number of them.
        _writes = new WriteThrottle(int.MaxValue, options.Value.HeartbeatWriteInterval, time.GetUtcNow());
    }

    private string WorkerId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Heartbeats are stored only every HeartbeatWriteInterval, so a grain reactivated after its silo died would show
        // a live worker as silent for up to that long, and its job would declare it lost. The activation counts as a
        // heartbeat instead: a worker that is really gone is still caught, one worker timeout later.
        var now = _time.GetUtcNow();
        if (_record.State.Info is { Active: true } info && info.LastHeartbeat < now)
            _record.State.Info = info with { LastHeartbeat = now };
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_writes.Unsaved > 0) await SaveAsync();
    }

    public async Task Register(WorkerInventory inventory)
    {
        _record.State.Info = WorkerLedger.Register(WorkerId, inventory, _time.GetUtcNow());
        await SaveAsync();
        await GrainFactory.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).AddWorker(WorkerId);
        _logger.LogInformation("Worker {WorkerId} registered: {Host} pid {Pid}, {Device}, {Gpus} GPU(s)",
            WorkerId, inventory.Host, inventory.ProcessId, inventory.DeviceKind, inventory.Gpus.Count);
    }

    public async Task Heartbeat(WorkerHeartbeat heartbeat)
    {
        var now = _time.GetUtcNow();
        var (info, significant) = WorkerLedger.Heartbeat(Registered(), heartbeat, now);
        _record.State.Info = info;
        if (_writes.Changed(now, mustWrite: significant)) await SaveAsync();
    }

    public async Task ReportError(string error)
    {
        _record.State.Info = WorkerLedger.ReportError(Registered(), error);
        await SaveAsync();
        _logger.LogWarning("Worker {WorkerId} reports: {Error}", WorkerId, error);
    }

    public async Task Deregister()
    {
        _record.State.Info = WorkerLedger.Deregister(Registered());
        await SaveAsync();
        _logger.LogInformation("Worker {WorkerId} left", WorkerId);
    }

    public Task<WorkerInfo?> GetInfo() => Task.FromResult(_record.State.Info);

    private WorkerInfo Registered() =>
        _record.State.Info ?? throw new InvalidOperationException($"worker '{WorkerId}' is not registered");

    private async Task SaveAsync()
    {
        await _record.WriteStateAsync();
        _writes.Written(_time.GetUtcNow());
    }
}
