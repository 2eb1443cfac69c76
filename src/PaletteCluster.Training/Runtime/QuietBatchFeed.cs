using Microsoft.Extensions.Logging;
using PaletteCluster.Data;

namespace PaletteCluster.Training.Runtime;

/// <summary>
/// The batches of a training loop, made ahead on a background thread (<see cref="PrefetchingBatchLoader"/>, gated)
/// only as far as the loop's GC-quiet region can absorb, or on the loop's thread when the depth is 0.
/// Per step: <see cref="Next"/>, then <see cref="BeforeStep"/>, then the step.
/// <para>
/// Why this is safe (see docs/libtorch.md, "TorchSharp temporaries and garbage collections during native calls"):
/// a collection must not start while a step's native calls run, and the region's budget counts the producer's
/// allocations too. Boundary i is the BeforeStep after Next took batch i (batches counted from 0).
/// Claim: between boundary i and boundary i+1 the producer allocates at most depth x M, M being the most one batch
/// allocates. Proof: the producer starts a batch only with a permit; it holds depth at the start and is granted one
/// at each boundary, after the region was checked. By the end of the interval at most depth + i + 1 permits were
/// granted, so at most depth + i + 1 batches were started; batches 0..i were consumed, hence finished, before
/// boundary i. Only started-but-unfinished batches allocate inside the interval: at most depth of them, and every
/// producer allocation lies in the measured window of some batch (permit wait to queueing), so at most depth x M.
/// The reserve passed to <see cref="GcQuietSpan.BeforeStep"/> is <see cref="SafetyFactor"/> x depth x (largest
/// batch seen so far); the factor covers batches larger than any seen yet (first-epoch decodes of bigger photos).
/// That part is an estimate: a batch more than twice the largest before it could still exhaust the region.
/// With the span's guarantee (remaining >= reserve + step margin after BeforeStep) no collection starts inside a step.
/// When the region cannot hold the reserve (beyond <see cref="GcQuietSpan.MaxBudgetBytes"/>, regions off or refused)
/// the feed stops the producer at that boundary, waiting for it, so its last allocations happen while no native call
/// runs, and makes the following batches on the loop's thread, in the same order.
/// </para>
/// The data position to checkpoint is the consumed batch's <see cref="PairBatch.Position"/>, never the producer's.
/// </summary>
public sealed class QuietBatchFeed : IDisposable
{
    public const int SafetyFactor = 2;
    private readonly PairBatchLoader _loader;
    private readonly PrefetchingBatchLoader? _prefetcher;
    private readonly ILogger _logger;

    public QuietBatchFeed(PairBatchLoader loader, int prefetchDepth, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(loader);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetchDepth);
        _loader = loader;
        _logger = logger;
        // The producer starts at once: its first depth batches are made before the loop's first region starts.
        if (prefetchDepth > 0) _prefetcher = new PrefetchingBatchLoader(loader, prefetchDepth, gated: true);
    }

    /// <summary>Batches made ahead (0 once prefetching stopped or when it was never on).</summary>
    public int PrefetchDepth => _prefetcher is { IsPrefetching: true } p ? p.Depth : 0;

    /// <summary>The most the producer may allocate between two boundaries (with the safety factor); 0 without one.</summary>
    public long ReserveBytes =>
        _prefetcher is { IsPrefetching: true } p ? SafetyFactor * p.Depth * p.MaxBatchAllocationBytes : 0;

    public PairBatch Next() => _prefetcher is not null ? _prefetcher.Next() : _loader.Next();

    /// <summary>At the step boundary: renew the region as needed for the reserve, then let the producer make one more batch.</summary>
    public void BeforeStep(GcQuietSpan quiet)
    {
        ArgumentNullException.ThrowIfNull(quiet);
        if (_prefetcher is not { IsPrefetching: true } prefetcher)
        {
            quiet.BeforeStep();
            return;
        }
        long reserve = ReserveBytes;
        if (quiet.CanHold(reserve) && quiet.BeforeStep(reserve))
        {
            prefetcher.AllowOneMoreBatch();
            return;
        }
        prefetcher.StopPrefetching(); // waits for the batch in hand: the producer allocates now, not during the step
        _logger.LogWarning(
            "Batch prefetching turned off: making {Depth} batches ahead needs a reserve of {Reserve} MB in the GC-quiet region " +
            "({Factor} x depth x {Batch} MB, the largest batch so far), which a region of at most {Max} MB with {Margin} MB for the step cannot hold " +
            "(or regions are off: PALETTE_GC_QUIET=0); batches are made on the training thread from here on",
            prefetcher.Depth, Mb(reserve), SafetyFactor, Mb(prefetcher.MaxBatchAllocationBytes), Mb(GcQuietSpan.MaxBudgetBytes), Mb(quiet.StepMarginBytes));
        quiet.BeforeStep(); // renews if the producer's last batch used up the region
    }

    private static double Mb(long bytes) => Math.Round(bytes / (1024.0 * 1024.0), 1);

    /// <summary>Stops the producer (waiting for it): the inner loader's skipped files are then complete and stable.</summary>
    public void Dispose() => _prefetcher?.Dispose();
}
