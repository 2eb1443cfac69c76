using PaletteCluster.Abstractions;
using PaletteCluster.Grains.Dashboard;

namespace PaletteCluster.Grains.Tests;

public sealed class MetricSeriesTests
{
    private static MetricPoint At(long step) => new(step, DateTimeOffset.UnixEpoch.AddSeconds(step), 1.0 / (step + 1), 1e-4, 10);

    [Fact]
    public void Thinning_keeps_the_whole_run_and_the_recent_points_dense()
    {
        var points = new List<MetricPoint>();
        var series = new MetricSeries(points, maxPoints: 10);
        for (var step = 0; step <= 10; step++) series.Add(At(step));

        // 11 points > 10: the oldest half (0..4) keeps 0, 2, 4; 5..10 stay.
        Assert.Equal([0L, 2L, 4L, 5L, 6L, 7L, 8L, 9L, 10L], points.Select(p => p.Step));
        Assert.Equal(9, series.Count);
    }

    [Fact]
    public void Long_runs_stay_bounded_and_ordered()
    {
        var points = new List<MetricPoint>();
        var series = new MetricSeries(points, maxPoints: 100);
        for (var step = 0; step < 10_000; step++) series.Add(At(step));

        Assert.InRange(series.Count, 50, 100);
        Assert.Equal(0, points[0].Step);
        Assert.Equal(9_999, points[^1].Step);
        Assert.Equal(points.Select(p => p.Step).Order(), points.Select(p => p.Step));
    }

    [Fact]
    public void A_rewound_run_replaces_the_abandoned_points()
    {
        var points = new List<MetricPoint>();
        var series = new MetricSeries(points, maxPoints: 100);
        foreach (var step in new long[] { 10, 20, 30, 40 }) series.Add(At(step));
        series.Add(At(25));
        Assert.Equal([10L, 20L, 25L], points.Select(p => p.Step));
        Assert.Equal([25L], series.After(20).Select(p => p.Step));
    }
}
