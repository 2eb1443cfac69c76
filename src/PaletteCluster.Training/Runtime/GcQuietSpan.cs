using System.Runtime;

namespace PaletteCluster.Training.Runtime;

/// <summary>
/// One GC-quiet region held across many steps of a loop, renewed at step boundaries. Starting a no-GC region
/// collects the heap first, so a fresh <see cref="GcQuietZone"/> per step costs one blocking collection per step
/// (measured: the main source of step-time jitter on CPU, worse with a bigger heap such as a co-hosted silo's).
/// Here the region is only renewed, with its one collection, when half its budget has been allocated: still at a
/// step boundary, where no native call is in flight, but once per ~100 MB of allocation rather than every step.
/// </summary>
public sealed class GcQuietSpan(long budgetBytes = GcQuietZone.DefaultBudgetBytes) : IDisposable
{
    private long _allocatedAtStart;
    private bool _owns;

    /// <summary>Call before each step: afterwards the step runs with no collection possible.</summary>
    public void BeforeStep()
    {
        bool inRegion = GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;
        if (inRegion && !_owns) return; // someone else's zone encloses the loop
        if (inRegion && GC.GetTotalAllocatedBytes() - _allocatedAtStart < budgetBytes / 2) return;
        if (inRegion) GC.EndNoGCRegion();
        _owns = GcQuietZone.TryStart(budgetBytes);
        _allocatedAtStart = GC.GetTotalAllocatedBytes();
    }

    public void Dispose()
    {
        if (_owns && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        _owns = false;
    }
}
