using System.Globalization;
using PaletteCluster.Training;
using PaletteCluster.Training.Callbacks;

namespace PaletteCluster.Cli;

/// <summary>
/// Draws <c>palette train</c>'s progress bar: a line every LogEvery steps with the loss, and a kept line for each
/// checkpoint once it is complete on disk.
/// </summary>
public sealed class TrainingProgressBar(ProgressBar bar) : TrainingCallback
{
    public override void ProgressLogged(TrainingState state, TrainingProgress progress) => Draw(progress, checkpoint: null);

    public override void CheckpointSaved(TrainingState state, SavedCheckpoint checkpoint)
    {
        if (checkpoint.Progress is { } progress) Draw(progress, checkpoint.Directory); // a stop's checkpoint is named in the closing line
    }

    public override void FitEnd(TrainingState state, TrainingRun.Result result) => bar.Finish();

    private void Draw(TrainingProgress p, string? checkpoint) => bar.Report("step", p.Step, p.TotalSteps,
        string.Create(CultureInfo.InvariantCulture, $"loss {p.Loss:F4} lr {p.LearningRate:G3} {p.ImagesPerSecond:F1} img/s")
        + (checkpoint is null ? "" : $" checkpoint {Path.GetFileName(checkpoint)}"),
        keep: checkpoint is not null);
}
