using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Checkpoints;
using PaletteCluster.Data;
using PaletteCluster.Training.Callbacks;

namespace PaletteCluster.Training;

/// <summary>
/// A training run's checkpoints, as a callback: every CheckpointEvery steps, at the last step, and where a run is
/// stopped (so a stop loses no work). While training goes on, a checkpoint costs the training thread only a
/// snapshot (a device-side copy of the state) and the <see cref="BackgroundCheckpointWriter"/> writes it; when
/// training is over (the last step, a stop) it is written directly, as there is nothing to overlap. Synchronous mode
/// writes every checkpoint directly, as before, for comparison. A checkpoint is announced (CheckpointSaved) once
/// complete on disk, at the first step boundary after its write ended, so it can follow later steps.
/// </summary>
internal sealed class RunCheckpointer(TrainingRunOptions options, string? resumedFrom, ILogger logger) : TrainingCallback, IDisposable
{
    private readonly BackgroundCheckpointWriter? _writer = options.SynchronousCheckpoints ? null : new BackgroundCheckpointWriter();
    private readonly StateSnapshot _snapshot = new(); // refilled at each checkpoint: the one extra copy of the state
    private InFlight? _inFlight;

    /// <summary>The newest checkpoint folder handed over for writing (complete or not yet).</summary>
    public string? LastStarted { get; private set; }

    /// <summary>The newest complete checkpoint: the last one written, else the one the run resumed from.</summary>
    public string? Latest => _lastWritten ?? resumedFrom;
    private string? _lastWritten;

    /// <summary>Training-thread time spent on checkpoints: snapshots, waits for a previous write, direct writes.</summary>
    public TimeSpan Stall { get; private set; }

    /// <summary>Time spent writing checkpoint folders, on whichever thread.</summary>
    public TimeSpan WriteTime { get; private set; }

    public override void StepEnd(TrainingState state)
    {
        Complete(_writer?.TryTakeFinished(), state); // a background write that ended is announced now; a failed one throws here
        if (state.Step % options.CheckpointEvery == 0 || state.Step == options.TotalSteps)
            Save(state, state.Progress(), trainingGoesOn: state.Step < options.TotalSteps); // reading the loss checks it first
    }

    public override void LoopEnd(TrainingState state)
    {
        if (state.Stopped && state.StepsRun > 0 && LastStarted != DirectoryOf(state.Step))
            Save(state, progress: null, trainingGoesOn: false); // no loss was read: nothing to report with it
        Drain(state);
    }

    public void Dispose()
    {
        _writer?.Dispose(); // waits for a write in flight: it reads the snapshot
        _snapshot.Dispose();
    }

    private string DirectoryOf(long step) => Path.Combine(options.CheckpointsDir, CheckpointFolders.StepFolderName(step));

    private void Save(TrainingState state, TrainingProgress? progress, bool trainingGoesOn)
    {
        long started = Stopwatch.GetTimestamp();
        // At most one write in flight: the next snapshot waits for the previous write (and surfaces its failure).
        Complete(_writer?.WaitForFinished(), state);
        var dir = LastStarted = DirectoryOf(state.Step);
        var checkpoint = new SavedCheckpoint(dir, state.Step, state.Position, progress);
        var extra = new JsonObject { ["data"] = new JsonObject { ["files"] = state.Data.Count, ["fingerprint"] = state.Data.Fingerprint } };
        if (_writer is null || !trainingGoesOn)
        {
            var written = BackgroundCheckpointWriter.WriteNow(dir, TrainerCheckpoint.Capture(state.Trainer, state.Position, extra));
            var stall = Stopwatch.GetElapsedTime(started);
            Stall += stall;
            _inFlight = new InFlight(checkpoint, stall, Background: false);
            Complete(written, state);
            return;
        }
        // The previous write is done: its copies may be refilled.
        _writer.Submit(dir, TrainerCheckpoint.Capture(state.Trainer, state.Position, extra, _snapshot));
        var snapshotStall = Stopwatch.GetElapsedTime(started);
        Stall += snapshotStall;
        _inFlight = new InFlight(checkpoint, snapshotStall, Background: true);
    }

    /// <summary>At the end of the run: waits for the write in flight (counted as stall), announces it or throws its failure.</summary>
    private void Drain(TrainingState state)
    {
        if (_writer is null) return;
        long started = Stopwatch.GetTimestamp();
        var finished = _writer.WaitForFinished();
        Stall += Stopwatch.GetElapsedTime(started);
        Complete(finished, state);
    }

    private void Complete(CheckpointWriteResult? finished, TrainingState state)
    {
        if (finished is null) return;
        var inFlight = _inFlight ?? throw new InvalidOperationException("a checkpoint write finished that was never started");
        _inFlight = null;
        WriteTime += finished.WriteTime;
        finished.ThrowIfFailed();
        _lastWritten = finished.Directory;
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
        state.Events.CheckpointSaved(state, inFlight.Checkpoint);
    }

    private sealed record InFlight(SavedCheckpoint Checkpoint, TimeSpan Stall, bool Background);
}
