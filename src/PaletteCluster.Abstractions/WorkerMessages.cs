namespace PaletteCluster.Abstractions;

/// <summary>What a worker machine offers. Sent once when the worker process starts.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerInventory(
    [property: Id(0)] string Host,
    [property: Id(1)] int ProcessId,
    /// <summary>cpu or cuda.</summary>
    [property: Id(2)] string DeviceKind,
    [property: Id(3)] int CpuCores,
    /// <summary>GPU names, empty on CPU workers.</summary>
    [property: Id(4)] IReadOnlyList<string> Gpus,
    [property: Id(5)] long GpuMemoryBytes);

/// <summary>A worker's periodic sign of life.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerHeartbeat(
    [property: Id(0)] string? JobId,
    [property: Id(1)] long Step,
    [property: Id(2)] double ImagesPerSecond);

/// <summary>A worker as the cluster sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerInfo
{
    [Id(0)] public required string WorkerId { get; init; }
    [Id(1)] public WorkerInventory? Inventory { get; init; }
    [Id(2)] public DateTimeOffset RegisteredAt { get; init; }
    [Id(3)] public DateTimeOffset LastHeartbeat { get; init; }
    [Id(4)] public string? CurrentJob { get; init; }
    [Id(5)] public double ImagesPerSecond { get; init; }
    [Id(6)] public string? LastError { get; init; }
    /// <summary>False once the worker said goodbye (SIGTERM) or was declared lost.</summary>
    [Id(7)] public bool Active { get; init; }
}
