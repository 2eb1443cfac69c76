using Microsoft.Extensions.Logging;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Training.Sampling;

namespace PaletteCluster.Training.Callbacks;

/// <summary>
/// At the end of a finished run (not a stopped one): a grid from the EMA weights, rows of every task in the mix.
/// Stochastic DDIM (eta 1) over FinalSampleSteps: early in training it gives far cleaner pictures than
/// deterministic DDIM, at a twentieth of DDPM's cost.
/// </summary>
internal sealed class SampleGridWriter(TrainingRunOptions options, ILogger logger) : TrainingCallback
{
    /// <summary>The grid's file once written.</summary>
    public string? Path { get; private set; }

    public override void LoopEnd(TrainingState state)
    {
        if (state.Stopped || options.Samples == 0) return;
        using var sampler = ImageSampler.FromTrainer(state.Trainer);
        var path = System.IO.Path.Combine(options.RunDir, "samples", $"{CheckpointFolders.StepFolderName(state.Step)}.png");
        var sampling = new SamplingOptions { Sampler = "ddim", Steps = options.FinalSampleSteps, Eta = 1.0, Seed = state.Config.Seed };
        TaskSampleGrid.Write(sampler, state.Data, state.Config.Task, options.Samples, path, sampling, logger);
        Path = path;
    }
}
