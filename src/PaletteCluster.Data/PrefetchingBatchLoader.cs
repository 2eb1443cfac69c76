using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace PaletteCluster.Data;

/// <summary>
/// Makes batches on a background thread so decoding and task generation overlap the training step: a bounded
/// producer queue. At most <see cref="Depth"/> finished batches wait in memory (a bounded channel), plus the one being
/// made. Order and positions are exactly the inner loader's: checkpoint the <see cref="PairBatch.Position"/> of the
/// last batch consumed, not the producer's position, which runs ahead.
/// </summary>
public sealed class PrefetchingBatchLoader : IDisposable
{
    private readonly PairBatchLoader _inner;
    private readonly Channel<PairBatch> _ready;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private long _produced;
    private PairBatch? _unqueued; // made when the loader was disposed, never queued: freed by Dispose
    private bool _disposed;

    public PrefetchingBatchLoader(PairBatchLoader inner, int depth = 2)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "depth must be at least 1");
        _inner = inner;
        Depth = depth;
        _ready = Channel.CreateBounded<PairBatch>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        _producer = Task.Factory.StartNew(Produce, TaskCreationOptions.LongRunning);
    }

    public int Depth { get; }

    /// <summary>Batches made by the background thread so far (for tests and diagnostics).</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Files the inner loader skipped; complete once the loader is disposed.</summary>
    public IReadOnlyList<SkippedFile> SkippedFiles => _inner.SkippedFiles;

    /// <summary>The next batch, in the inner loader's order; rethrows the producer's error (e.g. no decodable image).</summary>
    public PairBatch Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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

    private void Produce()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var batch = _inner.Next();
                Interlocked.Increment(ref _produced);
                if (!TryQueue(batch)) break;
            }
            _ready.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _ready.Writer.TryComplete(e);
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
            _unqueued = batch;
            return false;
        }
    }

    /// <summary>Stops the producer after the batch it is making (waiting for it) and frees every batch not consumed.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        try { _producer.Wait(); } catch (AggregateException) { } // its error already went to the channel
        while (_ready.Reader.TryRead(out var left)) left.Dispose();
        _unqueued?.Dispose();
        _unqueued = null;
        _stop.Dispose();
    }
}
