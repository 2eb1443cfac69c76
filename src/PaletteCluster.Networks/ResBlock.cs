using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaletteCluster.Networks;

/// <summary>What a <see cref="ResBlock"/> does to the spatial size.</summary>
public enum Resample
{
    /// <summary>Keep the size.</summary>
    None,
    /// <summary>Halve it (2x2 average pooling).</summary>
    Down,
    /// <summary>Double it (nearest-neighbour).</summary>
    Up,
}

/// <summary>
/// guided-diffusion ResBlock with scale-shift (FiLM) noise-level conditioning:
/// h = conv(SiLU(GN(x))); h = GN(h) * (1 + scale) + shift; h = conv(dropout(SiLU(h))); out = skip(x) + h.
/// Resampling happens after the first norm/activation, on both branches (as in the reference).
/// </summary>
public sealed class ResBlock : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Input channels.</summary>
    public int InChannels { get; }
    /// <summary>Output channels.</summary>
    public int OutChannels { get; }
    /// <summary>Resampling done by this block.</summary>
    public Resample Resample { get; }

    // Field names are state-dict keys.
    private readonly GroupNorm32 in_norm;
    private readonly Conv2d in_conv;
    private readonly Linear emb_proj;
    private readonly GroupNorm32 out_norm;
    private readonly GeneratorDropout dropout;
    private readonly Conv2d out_conv;
    private readonly Conv2d? skip; // null = identity (channels unchanged)

    public ResBlock(int inChannels, int outChannels, int embeddingChannels, double dropout = 0.0,
                    Resample resample = Resample.None, Device? device = null)
        : base(nameof(ResBlock))
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        Resample = resample;
        in_norm = Normalization.GroupNorm(inChannels, device);
        in_conv = nn.Conv2d(inChannels, outChannels, 3, padding: 1, device: device);
        emb_proj = nn.Linear(embeddingChannels, 2 * outChannels, device: device);
        out_norm = Normalization.GroupNorm(outChannels, device);
        this.dropout = new GeneratorDropout(dropout);
        out_conv = nn.Conv2d(outChannels, outChannels, 3, padding: 1, device: device);
        skip = inChannels == outChannels ? null : nn.Conv2d(inChannels, outChannels, 1, device: device);
        RegisterComponents();
    }

    /// <summary>x (B,Cin,H,W), emb (B,E) -> (B,Cout,H',W').</summary>
    public override Tensor forward(Tensor x, Tensor emb)
    {
        // Held for the whole forward: the alpha that `a + b` would pass as a temporary (see docs/libtorch.md, last section).
        using var one = 1.ToScalar();
        var h = nn.functional.silu(in_norm.forward(x));
        h = ApplyResample(h);
        x = ApplyResample(x);
        h = in_conv.forward(h);

        // (B, 2C) -> (B, 2C, 1, 1) -> scale, shift: (B, C, 1, 1) each.
        var scaleShift = emb_proj.forward(nn.functional.silu(emb)).to(h.dtype).unsqueeze(-1).unsqueeze(-1).chunk(2, 1);
        h = (out_norm.forward(h) * scaleShift[0].add(one, one)).add(scaleShift[1], one);
        h = out_conv.forward(dropout.forward(nn.functional.silu(h)));
        return (skip is null ? x : skip.forward(x)).add(h, one);
    }

    private Tensor ApplyResample(Tensor t) => Resample switch
    {
        Resample.Down => nn.functional.avg_pool2d(t, 2),
        Resample.Up => nn.functional.interpolate(t, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest),
        _ => t,
    };
}
