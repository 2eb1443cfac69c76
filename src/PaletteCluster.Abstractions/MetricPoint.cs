namespace PaletteCluster.Abstractions;

/// <summary>One point of a job's training curves, as the dashboard keeps them.</summary>
[GenerateSerializer, Immutable]
public sealed record MetricPoint(
    [property: Id(0)] long Step,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] double Loss,
    [property: Id(3)] double LearningRate,
    [property: Id(4)] double ImagesPerSecond);
