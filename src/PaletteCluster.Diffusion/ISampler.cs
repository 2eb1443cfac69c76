using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Diffusion;

/// <summary>Draws y_0 from p(y | x) by running a reverse diffusion with a trained noise predictor.</summary>
public interface ISampler
{
    /// <summary>Number of network evaluations per sample.</summary>
    int Steps { get; }

    /// <summary>
    /// Samples targets of shape (B, TargetChannels, H, W) for a condition of shape (B, C, H, W).
    /// With a <paramref name="mask"/> (B, 1, H, W), 1 = generate, 0 = keep, the pixels where mask = 0
    /// are taken from <paramref name="known"/> after every step, so the result equals it there.
    /// </summary>
    /// <param name="progress">Receives the number of steps done, 1..<see cref="Steps"/>.</param>
    Tensor Sample(NoisePredictor model, Tensor condition, Tensor? mask, Tensor? known, torch.Generator gen, IProgress<int>? progress = null);
}
