namespace PaletteCluster.Grains;

/// <summary>
/// Decides when a grain's in-memory state is worth writing: after <c>everyChanges</c> unsaved changes, when the
/// last write is <c>interval</c> old, or whenever the caller says a change must not be lost.
/// </summary>
public sealed class WriteThrottle
{
    private readonly int _everyChanges;
    private readonly TimeSpan _interval;
    private DateTimeOffset _lastWrite;

    public WriteThrottle(int everyChanges, TimeSpan interval, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(everyChanges, 1);
        _everyChanges = everyChanges;
        _interval = interval;
        _lastWrite = now;
    }

    /// <summary>Changes made since the last write.</summary>
    public int Unsaved { get; private set; }

    /// <summary>Counts one change and says whether to write now.</summary>
    public bool Changed(DateTimeOffset now, bool mustWrite = false)
    {
        Unsaved++;
        return mustWrite || Unsaved >= _everyChanges || now - _lastWrite >= _interval;
    }

    public void Written(DateTimeOffset now)
    {
        Unsaved = 0;
        _lastWrite = now;
    }
}
