using PaletteCluster.Training.Callbacks;

namespace PaletteCluster.Training.Tests;

/// <summary>A callback made of delegates, for tests that watch one or two events of a run.</summary>
public sealed class CallbackHooks : TrainingCallback
{
    public Action<TrainingProgress>? OnProgress { get; init; }
    public Action<TrainingState>? OnStepEnd { get; init; }
    public Action<SavedCheckpoint>? OnCheckpoint { get; init; }

    public override void ProgressLogged(TrainingState state, TrainingProgress progress) => OnProgress?.Invoke(progress);
    public override void StepEnd(TrainingState state) => OnStepEnd?.Invoke(state);
    public override void CheckpointSaved(TrainingState state, SavedCheckpoint checkpoint) => OnCheckpoint?.Invoke(checkpoint);
}
