using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Jobs;

/// <summary>A job grain's persisted state. Null status: the job was never created.</summary>
[GenerateSerializer, Alias("palette.JobRecord")]
public sealed class JobRecord
{
    [Id(0)] public JobStatus? Status { get; set; }
}
