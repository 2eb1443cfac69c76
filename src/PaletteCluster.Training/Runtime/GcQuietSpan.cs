using System.Runtime;

namespace PaletteCluster.Training.Runtime;

/// <summary>
/// A GC-quiet region held across a few steps of a loop, renewed at step boundaries (where no native call is in
/// flight). Starting a region costs a collection plus committing its budget, so the budget is small (a step
/// allocates little managed memory: tensor wrappers) and the region is renewed every few steps, or sooner when
/// what is left of the budget could not absorb the next step. Renewing rarely is no better: TorchSharp frees
/// some native memory only when its wrappers are finalized. Measured on a tiny 32 px CPU run, 150 steps (wall s /
/// peak resident): 192 MB every step 86 s / 3.0 GB; 16 MB every step 41 s / 0.52 GB; 16 MB every 8 steps
/// 29 s / 0.54 GB; no regions at all 33 s / 0.57 GB. PALETTE_GC_QUIET_MB and PALETTE_GC_QUIET_STEPS override the defaults.
/// <para>
/// A region's budget counts the allocations of every thread. <see cref="BeforeStep"/> takes a reserve: the most
/// that other threads (a batch prefetcher) may allocate before the next boundary. Safety argument: after
/// BeforeStep(R) returned true, the region has at least R + <see cref="StepMarginBytes"/> left; if other threads
/// allocate at most R and the step itself at most the margin before the next boundary, the budget is not
/// exhausted, so no collection can start while the step's native calls run.
/// </para>
/// </summary>
public sealed class GcQuietSpan(long? budgetBytes = null, int? renewEverySteps = null) : IDisposable
{
    public static readonly long DefaultBudgetBytes =
        (long.TryParse(Environment.GetEnvironmentVariable("PALETTE_GC_QUIET_MB"), out var mb) && mb > 0 ? mb : 16) << 20;
    public static readonly int DefaultRenewEverySteps =
        int.TryParse(Environment.GetEnvironmentVariable("PALETTE_GC_QUIET_STEPS"), out var n) && n > 0 ? n : 8;

    /// <summary>
    /// The largest region a span starts. Each renewal commits the whole budget (a 192 MB region per step cost
    /// about 0.3 s more per step than 16 MB on CPU), so a reserve needing more is better served without prefetching.
    /// </summary>
    public const long MaxBudgetBytes = 256L << 20;

    private readonly long _baseBudget = budgetBytes ?? DefaultBudgetBytes;
    private readonly int _renewEvery = renewEverySteps ?? DefaultRenewEverySteps;
    private long _regionBudget;
    private long _allocatedAtStart;
    private int _steps;
    private bool _owns;

    /// <summary>
    /// What the step's own thread may allocate between two boundaries: half the base budget, the same head-room
    /// the span kept before reserves existed (it renewed once half the budget was used).
    /// </summary>
    public long StepMarginBytes => _baseBudget / 2;

    /// <summary>
    /// The budget a region starts with for a reserve: the margin plus twice the reserve, so that a renewed
    /// region absorbs a reserve's worth of allocations (about 2 x depth batches of a prefetcher) before it must be
    /// renewed again, rather than renewing (a blocking collection plus a commit) at every step.
    /// Never below the base budget.
    /// </summary>
    public long BudgetFor(long reserveBytes) => Math.Max(_baseBudget, StepMarginBytes + 2 * reserveBytes);

    /// <summary>Whether a region of at most <see cref="MaxBudgetBytes"/> can hold this reserve.</summary>
    public bool CanHold(long reserveBytes) => BudgetFor(reserveBytes) <= MaxBudgetBytes;

    /// <summary>What the region held by this span can still absorb (process-wide allocations), 0 when none is held.</summary>
    public long RemainingBytes =>
        _owns && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion
            ? _regionBudget - (GC.GetTotalAllocatedBytes() - _allocatedAtStart)
            : 0;

    /// <summary>
    /// Call before each step: afterwards the step runs with no collection possible, as long as other threads
    /// allocate at most <paramref name="reserveBytes"/> before the next call. Renews the region (ending the
    /// current one first) every few steps, or when what is left could not absorb the reserve plus the step's
    /// margin. Returns whether a region that can is held (false when regions are off, the runtime refused the
    /// budget, the reserve exceeds what <see cref="MaxBudgetBytes"/> holds, or another zone encloses the loop).
    /// </summary>
    public bool BeforeStep(long reserveBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reserveBytes);
        long needed = reserveBytes + StepMarginBytes;
        bool inRegion = GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;
        if (inRegion && !_owns) return reserveBytes == 0; // someone else's zone encloses the loop: its budget is not ours to vouch for
        if (inRegion && ++_steps < _renewEvery && RemainingBytes >= needed) return true;
        _steps = 0;
        if (inRegion) GC.EndNoGCRegion();
        _regionBudget = GcQuietZone.TryStart(Math.Min(BudgetFor(reserveBytes), MaxBudgetBytes));
        _owns = _regionBudget > 0;
        _allocatedAtStart = GC.GetTotalAllocatedBytes();
        return _owns && _regionBudget >= needed;
    }

    public void Dispose()
    {
        if (_owns && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        _owns = false;
    }
}
