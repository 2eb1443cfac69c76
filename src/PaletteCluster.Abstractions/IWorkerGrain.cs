namespace PaletteCluster.Abstractions;

/// <summary>A worker process, keyed by worker id: inventory, heartbeat, current assignment, throughput, last error.</summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    Task Register(WorkerInventory inventory);
    Task Heartbeat(WorkerHeartbeat heartbeat);
    Task ReportError(string error);
    /// <summary>The worker left cleanly (SIGTERM).</summary>
    Task Deregister();
    Task<WorkerInfo?> GetInfo();
}
