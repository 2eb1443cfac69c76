using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaletteCluster.Networks;

/// <summary>
/// Multi-head self-attention over the spatial positions with a residual connection:
/// x + proj(SDPA(qkv(GN(x)))). heads = channels / headChannels. The qkv channel layout is
/// (3, heads, headChannels), as in the reference script.
/// With <see cref="AttentionKind.Local"/> the map is cut into 2x2 tiles and the whole block (norm
/// included, so tiles are fully independent) runs on each tile as if it were its own image.
/// </summary>
public sealed class AttentionBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Channels in and out.</summary>
    public int Channels { get; }
    /// <summary>Number of heads.</summary>
    public int Heads { get; }
    /// <summary>Global or local (2x2 tiles) attention.</summary>
    public AttentionKind Kind { get; }
    /// <summary>Feature-map resolution this block sees for a config.ImageSize input (informational).</summary>
    public int Resolution { get; }

    // Field names are state-dict keys.
    private readonly GroupNorm32 norm;
    private readonly Conv2d qkv;
    private readonly Conv2d proj;

    public AttentionBlock(int channels, int headChannels, AttentionKind kind = AttentionKind.Global,
                          int resolution = 0, Device? device = null)
        : base(nameof(AttentionBlock))
    {
        if (headChannels <= 0 || channels % headChannels != 0)
            throw new ArgumentException($"channels ({channels}) must be divisible by head channels ({headChannels}).");
        Channels = channels;
        Heads = channels / headChannels;
        Kind = kind;
        Resolution = resolution;
        norm = Normalization.GroupNorm(channels, device);
        qkv = nn.Conv2d(channels, 3 * channels, 1, device: device);
        proj = nn.Conv2d(channels, channels, 1, device: device);
        RegisterComponents();
    }

    /// <summary>x (B,C,H,W) -> (B,C,H,W).</summary>
    public override Tensor forward(Tensor x)
    {
        if (Kind == AttentionKind.Global)
            return Attend(x);

        long b = x.shape[0], c = x.shape[1], hh = x.shape[2], ww = x.shape[3];
        if (hh % 2 != 0 || ww % 2 != 0)
            throw new ArgumentException($"Local attention needs even feature-map sizes, got {hh}x{ww}.");
        // (B,C,H,W) -> (B,C,2,H/2,2,W/2) -> (B,2,2,C,H/2,W/2) -> (4B,C,H/2,W/2): tiles become batch items.
        var tiles = x.reshape(b, c, 2, hh / 2, 2, ww / 2).permute(0, 2, 4, 1, 3, 5).reshape(b * 4, c, hh / 2, ww / 2);
        var o = Attend(tiles);
        return o.reshape(b, 2, 2, c, hh / 2, ww / 2).permute(0, 3, 1, 4, 2, 5).reshape(b, c, hh, ww);
    }

    private Tensor Attend(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], hh = x.shape[2], ww = x.shape[3];
        // (B,3C,H,W) -> (B,3,heads,d,HW) -> (B,3,heads,HW,d) -> q, k, v: (B,heads,HW,d)
        var qkvT = qkv.forward(norm.forward(x)).reshape(b, 3, Heads, c / Heads, hh * ww).transpose(-1, -2);
        var parts = qkvT.unbind(1);
        var o = nn.functional.scaled_dot_product_attention(parts[0], parts[1], parts[2]);
        o = o.transpose(-1, -2).reshape(b, c, hh, ww);
        // The alpha that `x + y` would pass as a temporary, held across the call (see docs/libtorch.md, last section).
        using var one = 1.ToScalar();
        return x.add(proj.forward(o), one);
    }
}
