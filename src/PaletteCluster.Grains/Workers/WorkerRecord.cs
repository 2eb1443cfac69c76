using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Workers;

/// <summary>A worker grain's persisted state. Null info: the worker never registered.</summary>
[GenerateSerializer, Alias("palette.WorkerRecord")]
public sealed class WorkerRecord
{
    [Id(0)] public WorkerInfo? Info { get; set; }
}
