using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace PaletteCluster.Data;

/// <summary>
/// Makes batches on a background thread so decoding and task generation overlap the training step. At most
/// <see cref="Depth"/> finished batches wait in memory (a bounded channel), plus the one being made. Order and
/// positions are exactly the inner loader's: checkpoint the <see cref="PairBatch.Position"/> of the last batch
/// consumed, not the producer's position, which runs ahead.
/// <para>
/// Gated mode (<c>gated: true</c>) is for training inside GC no-GC regions, whose budget counts every thread's
/// allocations: the producer makes the first <see cref="Depth"/> batches freely, then one more batch per
/// <see cref="AllowOneMoreBatch"/> call, so the consumer decides when the producer may allocate.
/// <see cref="MaxBatchAllocationBytes"/> says how much one batch allocated at most, to size the region's reserve.
/// <see cref="StopPrefetching"/> ends the background thread and continues synchronously, in the same order.
/// </para>
/// </summary>
public sealed class PrefetchingBatchLoader : IDisposable
{
    private readonly PairBatchLoader _inner;
    private readonly Channel<PairBatch> _ready;
    private readonly SemaphoreSlim? _permits;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private long _produced;
    private long _maxBatchAllocation;
    private PairBatch? _unqueued; // made after every queued batch, not queued because the producer was stopped
    private Exception? _failure;
    private bool _stopped;
    private bool _disposed;

    public PrefetchingBatchLoader(PairBatchLoader inner, int depth = 2, bool gated = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "depth must be at least 1");
        _inner = inner;
        Depth = depth;
        // With permits, batches made = depth + permits granted; the consumer grants one per batch it took, so
        // at most depth batches are ever queued and the channel never makes the producer wait.
        _permits = gated ? new SemaphoreSlim(depth) : null;
        _ready = Channel.CreateBounded<PairBatch>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        _producer = Task.Factory.StartNew(Produce, TaskCreationOptions.LongRunning);
    }

    public int Depth { get; }

    /// <summary>Batches made by the background thread so far (for tests and diagnostics).</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>
    /// The most managed memory one batch cost the background thread so far (permit wait, decodes, task arrays,
    /// tensor wrappers), from <see cref="GC.GetAllocatedBytesForCurrentThread"/>. Every allocation of that thread
    /// but the queueing falls within the window of some batch, and a batch's cost is recorded before it is queued.
    /// </summary>
    public long MaxBatchAllocationBytes => Interlocked.Read(ref _maxBatchAllocation);

    /// <summary>False once <see cref="StopPrefetching"/> ran: batches are then made on the caller's thread.</summary>
    public bool IsPrefetching => !_stopped;

    /// <summary>Files the inner loader skipped; complete once the loader is stopped or disposed.</summary>
    public IReadOnlyList<SkippedFile> SkippedFiles => _inner.SkippedFiles;

    /// <summary>The next batch, in the inner loader's order; rethrows the producer's error (e.g. no decodable image).</summary>
    public PairBatch Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ready.Reader.TryRead(out var queued)) return queued;
        if (_stopped)
        {
            if (_unqueued is { } last)
            {
                _unqueued = null;
                return last;
            }
            if (_failure is not null) ExceptionDispatchInfo.Throw(_failure);
            return _inner.Next(); // the producer has ended: the inner loader is ours alone now
        }
        try
        {
            return _ready.Reader.ReadAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    /// <summary>Gated mode: lets the producer start one more batch. Call once per batch consumed, when its allocations are affordable.</summary>
    public void AllowOneMoreBatch()
    {
        if (_permits is null) throw new InvalidOperationException("AllowOneMoreBatch needs a loader built with gated: true");
        if (!_stopped) _permits.Release();
    }

    /// <summary>
    /// Ends the background thread after the batch it is making (waiting for it) and makes the following batches
    /// synchronously in <see cref="Next"/>: nothing is lost or reordered, and the producer allocates nothing afterwards.
    /// </summary>
    public void StopPrefetching()
    {
        if (_stopped) return;
        _stop.Cancel();
        try { _producer.Wait(); } catch (AggregateException) { } // its error is kept in _failure
        _stopped = true;
    }

    private void Produce()
    {
        try
        {
            while (true)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                if (!WaitForPermit()) break;
                var batch = _inner.Next();
                Interlocked.Increment(ref _produced);
                // Recorded before the batch is visible: a consumer that took batch k knows the cost of batches 0..k.
                // Only the queueing falls outside the window (a write to a channel with room allocates nothing).
                RecordAllocation(GC.GetAllocatedBytesForCurrentThread() - before);
                if (!TryQueue(batch)) break;
            }
            _ready.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _failure = e;
            _ready.Writer.TryComplete(e);
        }
    }

    /// <summary>False when stopped (also while waiting).</summary>
    private bool WaitForPermit()
    {
        if (_stop.IsCancellationRequested) return false;
        if (_permits is null) return true;
        try
        {
            _permits.Wait(_stop.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private bool TryQueue(PairBatch batch)
    {
        try
        {
            _ready.Writer.WriteAsync(batch, _stop.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            _unqueued = batch; // kept for Next (after StopPrefetching) or freed by Dispose
            return false;
        }
    }

    private void RecordAllocation(long bytes)
    {
        long seen = Interlocked.Read(ref _maxBatchAllocation);
        while (bytes > seen)
        {
            long was = Interlocked.CompareExchange(ref _maxBatchAllocation, bytes, seen);
            if (was == seen) return;
            seen = was;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        StopPrefetching();
        _disposed = true;
        while (_ready.Reader.TryRead(out var left)) left.Dispose();
        _unqueued?.Dispose();
        _unqueued = null;
        _stop.Dispose();
        _permits?.Dispose();
    }
}
