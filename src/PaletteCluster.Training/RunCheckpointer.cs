using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaletteCluster.Checkpoints;

namespace PaletteCluster.Training;

/// <summary>
/// A training run's checkpoints. While training goes on, a checkpoint costs the training thread only a snapshot (a
/// device-side copy of the state) and the <see cref="BackgroundCheckpointWriter"/> writes it; when training is over
/// (the last step, a stop) it is written directly, as there is nothing to overlap. Synchronous mode writes every
/// checkpoint directly, as before, for comparison. Everything here runs on the training thread, reports included:
/// a checkpoint is reported (its progress, with CheckpointWritten) once complete on disk, at the first step
/// boundary after its write ended, so it can follow reports of later steps.
/// </summary>
internal sealed class RunCheckpointer(bool synchronous, IProgress<TrainingProgress>? progress, ILogger logger) : IDisposable
{
    private readonly BackgroundCheckpointWriter? _writer = synchronous ? null : new BackgroundCheckpointWriter();
    private readonly StateSnapshot _snapshot = new(); // refilled at each checkpoint: the one extra copy of the state
    private InFlight? _inFlight;

    /// <summary>The newest checkpoint folder handed over for writing (complete or not yet).</summary>
    public string? LastStarted { get; private set; }

    /// <summary>The newest checkpoint folder known complete.</summary>
    public string? LastWritten { get; private set; }

    /// <summary>Training-thread time spent on checkpoints: snapshots, waits for a previous write, direct writes.</summary>
    public TimeSpan Stall { get; private set; }

    /// <summary>Time spent writing checkpoint folders, on whichever thread.</summary>
    public TimeSpan WriteTime { get; private set; }

    /// <summary>
    /// Checkpoints the trainer's state into <paramref name="dir"/>; <paramref name="report"/> is what to report once it
    /// is written (null: nothing). <paramref name="capture"/> takes the snapshot to copy the state into, or null to
    /// capture the live tensors for a write within this call.
    /// </summary>
    public void Save(string dir, Func<StateSnapshot?, CheckpointContent> capture, TrainingProgress? report, bool trainingGoesOn)
    {
        long started = Stopwatch.GetTimestamp();
        // At most one write in flight: the next snapshot waits for the previous write (and surfaces its failure).
        Complete(_writer?.WaitForFinished());
        LastStarted = dir;
        if (_writer is null || !trainingGoesOn)
        {
            var written = BackgroundCheckpointWriter.WriteNow(dir, capture(null));
            var stall = Stopwatch.GetElapsedTime(started);
            Stall += stall;
            _inFlight = new InFlight(report, stall, Background: false);
            Complete(written);
            return;
        }
        _writer.Submit(dir, capture(_snapshot)); // the previous write is done: its copies may be refilled
        var snapshotStall = Stopwatch.GetElapsedTime(started);
        Stall += snapshotStall;
        _inFlight = new InFlight(report, snapshotStall, Background: true);
    }

    /// <summary>At a step boundary: reports a background write that has ended, or throws its failure.</summary>
    public void Poll() => Complete(_writer?.TryTakeFinished());

    /// <summary>At the end of the run: waits for the write in flight (counted as stall), reports it or throws its failure.</summary>
    public void Drain()
    {
        if (_writer is null) return;
        long started = Stopwatch.GetTimestamp();
        var finished = _writer.WaitForFinished();
        Stall += Stopwatch.GetElapsedTime(started);
        Complete(finished);
    }

    public void Dispose()
    {
        _writer?.Dispose(); // waits for a write in flight: it reads the snapshot
        _snapshot.Dispose();
    }

    private void Complete(CheckpointWriteResult? finished)
    {
        if (finished is null) return;
        var inFlight = _inFlight ?? throw new InvalidOperationException("a checkpoint write finished that was never started");
        _inFlight = null;
        WriteTime += finished.WriteTime;
        finished.ThrowIfFailed();
        LastWritten = finished.Directory;
        if (inFlight.Background)
        {
            logger.LogInformation("Checkpoint {Dir}: training paused {StallMs} ms for the snapshot, written in {WriteMs} ms in the background",
                finished.Directory, (long)inFlight.Stall.TotalMilliseconds, (long)finished.WriteTime.TotalMilliseconds);
            logger.LogDebug("Checkpoint {Dir}: the writer thread allocated {Bytes} managed bytes", finished.Directory, finished.ManagedBytesAllocated);
        }
        else
        {
            logger.LogInformation("Checkpoint {Dir}: training paused {StallMs} ms, written in {WriteMs} ms on the training thread",
                finished.Directory, (long)inFlight.Stall.TotalMilliseconds, (long)finished.WriteTime.TotalMilliseconds);
        }
        if (inFlight.Report is not null) progress?.Report(inFlight.Report with { CheckpointWritten = finished.Directory });
    }

    private sealed record InFlight(TrainingProgress? Report, TimeSpan Stall, bool Background);
}
