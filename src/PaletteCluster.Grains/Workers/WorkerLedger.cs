using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Workers;

/// <summary>How a worker's record changes with what the worker says; no Orleans, no storage.</summary>
public static class WorkerLedger
{
    public static WorkerInfo Register(string workerId, WorkerInventory inventory, DateTimeOffset now) => new()
    {
        WorkerId = workerId,
        Inventory = inventory,
        RegisteredAt = now,
        LastHeartbeat = now,
        Active = true,
    };

    /// <summary>The new record, and whether it differs in more than liveness and throughput (worth a write now).</summary>
    public static (WorkerInfo Info, bool Significant) Heartbeat(WorkerInfo info, WorkerHeartbeat beat, DateTimeOffset now)
    {
        var next = info with { LastHeartbeat = now, CurrentJob = beat.JobId, ImagesPerSecond = beat.ImagesPerSecond };
        return (next, next.CurrentJob != info.CurrentJob);
    }

    public static WorkerInfo ReportError(WorkerInfo info, string error) => info with { LastError = error };

    public static WorkerInfo Deregister(WorkerInfo info) => info with { Active = false, CurrentJob = null, ImagesPerSecond = 0 };
}
