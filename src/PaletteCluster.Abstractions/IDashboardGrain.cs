namespace PaletteCluster.Abstractions;

/// <summary>A job's training curves (loss, learning rate, throughput), keyed by job id; bounded in size, persisted.</summary>
public interface IDashboardGrain : IGrainWithStringKey
{
    Task Record(MetricPoint point);
    /// <summary>Points with step greater than afterStep, oldest first.</summary>
    Task<IReadOnlyList<MetricPoint>> GetSeries(long afterStep = -1);
}
