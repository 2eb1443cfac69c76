using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaletteCluster.Networks;

/// <summary>
/// Noise-level embedding: sinusoidal features of (gamma x scale), then Linear(ch, 4ch) - SiLU - Linear(4ch, 4ch).
/// </summary>
/// <remarks>
/// The sinusoid (max period 1e4) was made for integer timesteps. Fed gamma in (0,1] directly, as an open
/// implementation does, almost every frequency moves by less than 1e-2 rad across the whole range, so
/// nearby noise levels look alike; scaling gamma by ~1000 (WaveGrad) restores the resolution.
/// </remarks>
public sealed class NoiseLevelEmbedding : nn.Module<Tensor, Tensor>
{
    /// <summary>Max period of the sinusoid, as in guided-diffusion's timestep_embedding.</summary>
    public const double MaxPeriod = 10000.0;

    private readonly int dim;
    private readonly double scale;

    // Field names are state-dict keys: noise_embed.linear_in.weight, ...
    private readonly Linear linear_in;
    private readonly Linear linear_out;

    /// <param name="channels">Sinusoid size (the UNet's base channels; even).</param>
    /// <param name="embeddingChannels">MLP width (4 x channels in the UNet).</param>
    /// <param name="scale">Multiplier applied to gamma before the sinusoid.</param>
    /// <param name="device">Where to allocate the parameters (null = default device; "meta" = none).</param>
    public NoiseLevelEmbedding(int channels, int embeddingChannels, double scale, Device? device = null)
        : base(nameof(NoiseLevelEmbedding))
    {
        if (channels <= 0 || channels % 2 != 0)
            throw new ArgumentException($"channels must be positive and even (got {channels}).", nameof(channels));
        dim = channels;
        this.scale = scale;
        linear_in = nn.Linear(channels, embeddingChannels, device: device);
        linear_out = nn.Linear(embeddingChannels, embeddingChannels, device: device);
        RegisterComponents();
    }

    /// <summary>gamma (B) or (B,1) -> embedding (B, embeddingChannels), float32.</summary>
    public override Tensor forward(Tensor gamma)
    {
        // Sinusoids in fp32 (gamma needs the precision), then the MLP in the weights' dtype (bf16 replica).
        var features = Sinusoidal(gamma, dim, scale).to(linear_in.weight!.dtype);
        return linear_out.forward(nn.functional.silu(linear_in.forward(features)));
    }

    /// <summary>
    /// [cos(s*g*f_i), sin(s*g*f_i)] with f_i = MaxPeriod^(-i/half), i &lt; half = dim/2 (the reference
    /// script's order: cosines first). gamma (B) or (B,1) -> (B, dim), float32, on gamma's device.
    /// </summary>
    public static Tensor Sinusoidal(Tensor gamma, int dim, double scale)
    {
        int half = dim / 2;
        // Every Scalar held across its call, not left to implicit conversions (see docs/libtorch.md, last section);
        // the same values and types as `* scale`, `arange(half)` (0, half, 1) and `* (-log(P) / half)`.
        using var scaleS = scale.ToScalar();
        using Scalar start = 0.ToScalar(), stop = half.ToScalar(), step = 1.ToScalar();
        using var exponentS = (-Math.Log(MaxPeriod) / half).ToScalar();
        var g = gamma.reshape(-1).to(ScalarType.Float32).mul(scaleS);
        var freqs = torch.exp(torch.arange(start, stop, step, dtype: ScalarType.Float32, device: gamma.device).mul(exponentS));
        var angles = g.unsqueeze(1) * freqs.unsqueeze(0);
        return torch.cat([torch.cos(angles), torch.sin(angles)], 1);
    }
}
