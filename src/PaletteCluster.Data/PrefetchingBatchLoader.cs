using System.Threading.Channels;

namespace PaletteCluster.Data;

/// <summary>
/// Makes batches on a background thread so decoding and task generation overlap the training step. At most
/// <see cref="Depth"/> finished batches wait in memory (a bounded channel), plus the one being made. Order and
/// positions are exactly the inner loader's: checkpoint the <see cref="PairBatch.Position"/> of the last batch
/// consumed, not the producer's position, which runs ahead.
/// Not used by training runs yet: with TorchSharp 0.107, garbage collections triggered by this thread can
/// finalize a temporary Scalar while the training thread's native call still uses it (see TrainingRun).
/// </summary>
public sealed class PrefetchingBatchLoader : IDisposable
{
    private readonly PairBatchLoader _inner;
    private readonly Channel<PairBatch> _ready;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private long _produced;
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

    /// <summary>Batches made so far (for tests and diagnostics).</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>The next batch, in the inner loader's order; rethrows the producer's error (e.g. no decodable image).</summary>
    public PairBatch Next()
    {
        try
        {
            return _ready.Reader.ReadAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    /// <summary>Files the inner loader skipped; complete once the loader is disposed.</summary>
    public IReadOnlyList<SkippedFile> SkippedFiles => _inner.SkippedFiles;

    private void Produce()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var batch = _inner.Next();
                Interlocked.Increment(ref _produced);
                try
                {
                    _ready.Writer.WriteAsync(batch, _stop.Token).AsTask().GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    batch.Dispose();
                    break;
                }
            }
            _ready.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _ready.Writer.TryComplete(e);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        try { _producer.Wait(); } catch (AggregateException) { }
        while (_ready.Reader.TryRead(out var left)) left.Dispose();
        _stop.Dispose();
    }
}
