using PaletteCluster.Data;

namespace PaletteCluster.Training.Runtime;

/// <summary>
/// The batches of a training loop: made ahead on a background thread (<see cref="PrefetchingBatchLoader"/>, a bounded
/// producer queue) when the depth is above 0, on the loop's thread otherwise; the same batches in the same order
/// either way. The data position to checkpoint is the consumed batch's <see cref="PairBatch.Position"/>, never the
/// producer's. The producer allocates while steps run: that is safe because no step passes libtorch a Scalar or
/// tensor that a collection could free mid-call (docs/libtorch.md, last section).
/// </summary>
public sealed class BatchFeed : IDisposable
{
    private readonly PairBatchLoader _loader;
    private readonly PrefetchingBatchLoader? _prefetcher;

    public BatchFeed(PairBatchLoader loader, int prefetchDepth)
    {
        ArgumentNullException.ThrowIfNull(loader);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetchDepth);
        _loader = loader;
        if (prefetchDepth > 0) _prefetcher = new PrefetchingBatchLoader(loader, prefetchDepth);
    }

    /// <summary>Batches made ahead (0 when made in line).</summary>
    public int PrefetchDepth => _prefetcher?.Depth ?? 0;

    public PairBatch Next() => _prefetcher is not null ? _prefetcher.Next() : _loader.Next();

    /// <summary>Stops the producer (waiting for it): the inner loader's skipped files are then complete and stable.</summary>
    public void Dispose() => _prefetcher?.Dispose();
}
