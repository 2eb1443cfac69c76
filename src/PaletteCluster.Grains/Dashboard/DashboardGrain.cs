using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Dashboard;

/// <summary>
/// A job's training curves (keyed by job id). Points come with every progress report, so the series is written
/// every few points or seconds and on deactivation, not on each point.
/// </summary>
public sealed class DashboardGrain : Grain, IDashboardGrain
{
    private readonly IPersistentState<DashboardRecord> _record;
    private readonly TimeProvider _time;
    private readonly DashboardOptions _options;
    private readonly ILogger<DashboardGrain> _logger;
    private readonly WriteThrottle _writes;

    public DashboardGrain(
        [PersistentState("dashboard", PaletteStorage.Name)] IPersistentState<DashboardRecord> record,
        TimeProvider time,
        IOptions<DashboardOptions> options,
        ILogger<DashboardGrain> logger)
    {
        _record = record;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _writes = new WriteThrottle(_options.WriteEveryPoints, _options.WriteInterval, time.GetUtcNow());
    }

    // A view over the current state's list, so it always follows what storage loaded.
    private MetricSeries Series => new(_record.State.Points, _options.MaxPoints);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_writes.Unsaved == 0) return;
        await SaveAsync();
        _logger.LogDebug("Dashboard {JobId} saved {Count} points on deactivation", this.GetPrimaryKeyString(), _record.State.Points.Count);
    }

    public async Task Record(MetricPoint point)
    {
        Series.Add(point);
        if (_writes.Changed(_time.GetUtcNow())) await SaveAsync();
    }

    public Task<IReadOnlyList<MetricPoint>> GetSeries(long afterStep = -1) => Task.FromResult(Series.After(afterStep));

    private async Task SaveAsync()
    {
        await _record.WriteStateAsync();
        _writes.Written(_time.GetUtcNow());
    }
}
