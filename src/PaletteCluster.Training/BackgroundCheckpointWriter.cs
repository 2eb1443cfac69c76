using System.Diagnostics;
using System.Runtime.ExceptionServices;
using PaletteCluster.Checkpoints;

namespace PaletteCluster.Training;

/// <summary>
/// Writes checkpoint snapshots on a thread of its own, one at a time, so that training pays only for copying its
/// state. A snapshot handed over (tensors copied into a <see cref="StateSnapshot"/>) must stay unchanged until its
/// write has been taken: the writer reads its tensors but does not own them.
/// At most one write is in flight: <see cref="Submit"/> refuses a second until the first has been taken with
/// <see cref="TryTakeFinished"/> or <see cref="WaitForFinished"/>, so memory holds at most one extra copy of the state.
/// Failures are not thrown here: they travel in the <see cref="CheckpointWriteResult"/> to the thread that takes it.
/// </summary>
public sealed class BackgroundCheckpointWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly Action<string>? _beforeWrite;
    private string? _queuedDir;
    private CheckpointContent? _queuedSnapshot;
    private CheckpointWriteResult? _finished;
    private bool _busy; // submitted and not yet taken
    private bool _closing;

    public BackgroundCheckpointWriter() : this(beforeWrite: null) { }

    /// <param name="beforeWrite">Runs on the writer thread before each write (tests hold a write back with it).</param>
    internal BackgroundCheckpointWriter(Action<string>? beforeWrite)
    {
        _beforeWrite = beforeWrite;
        // A plain thread rather than a pool task: the write blocks on disk I/O for seconds, and the thread stays for the run.
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "checkpoint writer" };
        _thread.Start();
    }

    /// <summary>True from <see cref="Submit"/> until its result is taken.</summary>
    public bool IsBusy
    {
        get { lock (_gate) return _busy; }
    }

    /// <summary>Hands a snapshot over to be written to <paramref name="checkpointDir"/> (which must not exist yet).</summary>
    public void Submit(string checkpointDir, CheckpointContent snapshot)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closing, this);
            if (_busy)
                throw new InvalidOperationException("a checkpoint write is still pending; wait for it before submitting the next");
            (_queuedDir, _queuedSnapshot, _busy) = (checkpointDir, snapshot, true);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The finished write, if the one in flight is done; null while it runs or when there is none.</summary>
    public CheckpointWriteResult? TryTakeFinished()
    {
        lock (_gate) return TakeFinished();
    }

    /// <summary>Blocks until the write in flight is done and returns it; null when there is none.</summary>
    public CheckpointWriteResult? WaitForFinished()
    {
        lock (_gate)
        {
            while (_busy && _finished is null) Monitor.Wait(_gate);
            return TakeFinished();
        }
    }

    /// <summary>
    /// Writes a checkpoint on the calling thread with the atomic <see cref="CheckpointWriter"/> and reports how it
    /// went instead of throwing.
    /// </summary>
    public static CheckpointWriteResult WriteNow(string checkpointDir, CheckpointContent content)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long started = Stopwatch.GetTimestamp();
        ExceptionDispatchInfo? failure = null;
        try
        {
            CheckpointWriter.Write(checkpointDir, content);
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new CheckpointWriteResult(checkpointDir, elapsed, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, failure);
    }

    /// <summary>Waits for a write in flight to end (a half-written temp folder helps no one), then stops the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closing) return;
            _closing = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }

    private CheckpointWriteResult? TakeFinished()
    {
        var finished = _finished;
        if (finished is not null) (_finished, _busy) = (null, false);
        return finished;
    }

    private void WriteLoop()
    {
        while (true)
        {
            string dir;
            CheckpointContent snapshot;
            lock (_gate)
            {
                // A snapshot already handed over is written even when closing: its owner waits for it in Dispose.
                while (_queuedSnapshot is null && !_closing) Monitor.Wait(_gate);
                if (_queuedSnapshot is null) return;
                (dir, snapshot) = (_queuedDir!, _queuedSnapshot);
                (_queuedDir, _queuedSnapshot) = (null, null);
            }
            _beforeWrite?.Invoke(dir);
            var result = WriteNow(dir, snapshot);
            lock (_gate)
            {
                _finished = result;
                Monitor.PulseAll(_gate);
            }
        }
    }
}
