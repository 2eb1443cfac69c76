using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Dashboard;

/// <summary>
/// A bounded, step-ordered series of metric points. Past <c>maxPoints</c> the oldest half keeps every other
/// point, so a long run stays visible end to end at falling resolution while recent points stay dense.
/// </summary>
public sealed class MetricSeries
{
    private readonly List<MetricPoint> _points;
    private readonly int _maxPoints;

    /// <param name="points">The list to keep the series in (kept, not copied: it is the grain's state).</param>
    public MetricSeries(List<MetricPoint> points, int maxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        _points = points;
        _maxPoints = maxPoints;
    }

    public int Count => _points.Count;

    public void Add(MetricPoint point)
    {
        // A worker resuming from an older checkpoint repeats steps: the abandoned branch's later points go.
        var firstStale = _points.FindIndex(p => p.Step >= point.Step);
        if (firstStale >= 0) _points.RemoveRange(firstStale, _points.Count - firstStale);
        _points.Add(point);
        if (_points.Count > _maxPoints) ThinOldestHalf();
    }

    /// <summary>Points with step greater than <paramref name="afterStep"/>, oldest first.</summary>
    public IReadOnlyList<MetricPoint> After(long afterStep) => _points.Where(p => p.Step > afterStep).ToArray();

    private void ThinOldestHalf()
    {
        var half = _points.Count / 2;
        var kept = new List<MetricPoint>(_points.Count);
        for (var i = 0; i < half; i += 2) kept.Add(_points[i]);
        kept.AddRange(_points.Skip(half));
        _points.Clear();
        _points.AddRange(kept);
    }
}
