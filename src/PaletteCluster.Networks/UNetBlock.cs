using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Networks;

/// <summary>
/// One entry of the UNet's down or up path (guided-diffusion's TimestepEmbedSequential):
/// a ResBlock, optionally followed by self-attention and, on the way up, by an upsampling ResBlock.
/// Its output is what the down path stores as a skip connection.
/// </summary>
public sealed class UNetBlock : nn.Module<Tensor, Tensor, Tensor>
{
    // Field names are state-dict keys: down.N.res.*, down.N.attn.*, up.N.upsample.*
    private readonly ResBlock res;
    private readonly AttentionBlock? attn;
    private readonly ResBlock? upsample;

    /// <summary>The main ResBlock.</summary>
    public ResBlock Res => res;
    /// <summary>The attention block, if any.</summary>
    public AttentionBlock? Attention => attn;
    /// <summary>The upsampling ResBlock, if any.</summary>
    public ResBlock? Upsample => upsample;

    public UNetBlock(ResBlock res, AttentionBlock? attention = null, ResBlock? upsample = null)
        : base(nameof(UNetBlock))
    {
        this.res = res;
        attn = attention;
        this.upsample = upsample;
        RegisterComponents();
    }

    /// <summary>x (B,C,H,W), emb (B,E) -> features.</summary>
    public override Tensor forward(Tensor x, Tensor emb)
    {
        var h = res.forward(x, emb);
        if (attn is not null) h = attn.forward(h);
        if (upsample is not null) h = upsample.forward(h, emb);
        return h;
    }
}
