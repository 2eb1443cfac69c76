namespace PaletteCluster.Training.Callbacks;

/// <summary>
/// Something that takes part in a training run at its events, in the manner of MosaicML Composer's callbacks:
/// checkpointing, the final sample grid, progress bars and the cluster reporter are all callbacks. Every method runs
/// on the training thread, between steps, in the order the callbacks were given; a callback that throws ends the run.
/// A callback must not read <see cref="TrainingState.Loss"/> on every step unless it means to: each read waits for
/// the device.
/// </summary>
public abstract class TrainingCallback
{
    /// <summary>Once, after the trainer was built (and restored from a checkpoint), before the first step.</summary>
    public virtual void FitStart(TrainingState state) { }

    /// <summary>Every LogEvery steps, after that step: its progress, loss included (already checked finite).</summary>
    public virtual void ProgressLogged(TrainingState state, TrainingProgress progress) { }

    /// <summary>After every optimizer step (after <see cref="ProgressLogged"/> on logging steps).</summary>
    public virtual void StepEnd(TrainingState state) { }

    /// <summary>
    /// A checkpoint is complete on disk. Written in the background, it is announced at the first step boundary after
    /// its write ended, so it can come after later steps: <see cref="SavedCheckpoint.Step"/> is its own step.
    /// </summary>
    public virtual void CheckpointSaved(TrainingState state, SavedCheckpoint checkpoint) { }

    /// <summary>
    /// The loop is over, finished or stopped (<see cref="TrainingState.Stopped"/>): the last checkpoints are written
    /// here, then the sample grid. Nothing trains any more.
    /// </summary>
    public virtual void LoopEnd(TrainingState state) { }

    /// <summary>Once, last: what the run returns.</summary>
    public virtual void FitEnd(TrainingState state, TrainingRun.Result result) { }
}
