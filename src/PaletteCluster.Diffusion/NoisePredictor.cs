using static TorchSharp.torch;

namespace PaletteCluster.Diffusion;

/// <summary>
/// The network f(x, y~, gamma), seen by the diffusion math only through this delegate.
/// </summary>
/// <param name="condition">The conditioning image x, shape (B, C, H, W).</param>
/// <param name="noisyTarget">The noisy target y~, shape (B, 3, H, W).</param>
/// <param name="gamma">The noise level of each batch item, shape (B), float32.</param>
/// <returns>The predicted noise eps, shaped like <paramref name="noisyTarget"/>.</returns>
public delegate Tensor NoisePredictor(Tensor condition, Tensor noisyTarget, Tensor gamma);
