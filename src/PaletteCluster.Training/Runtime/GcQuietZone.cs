using System.Runtime;

namespace PaletteCluster.Training.Runtime;

/// <summary>
/// Runs a block of TorchSharp calls with garbage collection held off (GC.TryStartNoGCRegion). TorchSharp 0.107
/// does not keep a call's temporary Scalar alive during the native call, so a collection started by any thread
/// mid-call can finalize it ("Unknown scalar type" crashes at random steps). With no collection possible
/// inside the zone, temporaries die only between zones, when no native call uses them. Allocations beyond
/// the budget end the zone early (the runtime then collects as usual); the budget is sized to make that rare.
/// </summary>
public sealed class GcQuietZone : IDisposable
{
    /// <summary>Managed bytes a zone may allocate before the runtime collects anyway (a whole sampling run fits).</summary>
    public const long DefaultBudgetBytes = 192L << 20;
    private readonly bool _entered;

    private GcQuietZone(bool entered) => _entered = entered;

    /// <summary>PALETTE_GC_QUIET=0 turns zones off (to measure what they cost; not safe for long runs).</summary>
    private static readonly bool Disabled = Environment.GetEnvironmentVariable("PALETTE_GC_QUIET") == "0";

    public static GcQuietZone Enter(long budgetBytes = DefaultBudgetBytes)
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return new GcQuietZone(false); // nested, or inside a GcQuietSpan
        return new GcQuietZone(TryStart(budgetBytes) > 0);
    }

    /// <summary>
    /// Starts a no-GC region (collecting first); returns the budget obtained, which is smaller than asked when the
    /// runtime refuses that size, and 0 when disabled or refused.
    /// </summary>
    internal static long TryStart(long budgetBytes)
    {
        if (Disabled) return 0;
        try
        {
            return GC.TryStartNoGCRegion(budgetBytes, disallowFullBlockingGC: true) ? budgetBytes : 0;
        }
        catch (ArgumentOutOfRangeException)
        {
            const long smaller = 32L << 20; // smaller ephemeral budget
            return GC.TryStartNoGCRegion(smaller, disallowFullBlockingGC: true) ? smaller : 0;
        }
    }

    public void Dispose()
    {
        if (_entered && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
    }
}
