using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Dashboard;

/// <summary>A job's persisted training curves, oldest first.</summary>
[GenerateSerializer, Alias("palette.DashboardRecord")]
public sealed class DashboardRecord
{
    [Id(0)] public List<MetricPoint> Points { get; set; } = [];
}
