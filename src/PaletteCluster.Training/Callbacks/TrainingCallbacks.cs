namespace PaletteCluster.Training.Callbacks;

/// <summary>Hands each event to every callback of a run, in order.</summary>
internal sealed class TrainingCallbacks(IReadOnlyList<TrainingCallback> callbacks) : TrainingCallback
{
    public override void FitStart(TrainingState state)
    {
        foreach (var c in callbacks) c.FitStart(state);
    }

    public override void ProgressLogged(TrainingState state, TrainingProgress progress)
    {
        foreach (var c in callbacks) c.ProgressLogged(state, progress);
    }

    public override void StepEnd(TrainingState state)
    {
        foreach (var c in callbacks) c.StepEnd(state);
    }

    public override void CheckpointSaved(TrainingState state, SavedCheckpoint checkpoint)
    {
        foreach (var c in callbacks) c.CheckpointSaved(state, checkpoint);
    }

    public override void LoopEnd(TrainingState state)
    {
        foreach (var c in callbacks) c.LoopEnd(state);
    }

    public override void FitEnd(TrainingState state, TrainingRun.Result result)
    {
        foreach (var c in callbacks) c.FitEnd(state, result);
    }
}
