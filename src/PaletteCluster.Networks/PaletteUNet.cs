using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaletteCluster.Networks;

/// <summary>
/// Palette's denoiser: a guided-diffusion style UNet conditioned on the noise level gamma.
/// forward(input (B, InChannels, H, W), gamma (B)) -> predicted noise (B, OutChannels, H, W).
/// The input is the condition image concatenated with the noisy target (and optionally a mask).
/// Matches the architecture and parameter count of shared/bench/palette_unet_ref.py.
/// </summary>
/// <remarks>
/// State-dict keys (checkpoint/safetensors names): noise_embed.linear_{in,out}.*, input_conv.*,
/// down.{i}.res.*, down.{i}.attn.*, middle_res1.*, middle_attn.*, middle_res2.*, up.{i}.res.*,
/// up.{i}.attn.*, up.{i}.upsample.*, out_norm.*, out_conv.*; inside a ResBlock: in_norm, in_conv,
/// emb_proj, out_norm, out_conv, skip; inside attention: norm, qkv, proj.
/// The module structure depends only on the config: H and W may be any multiples of 2^(levels-1).
/// </remarks>
public sealed class PaletteUNet : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>The (validated) configuration this network was built from.</summary>
    public UNetConfig Config { get; }

    // Field names are state-dict keys; do not rename without a checkpoint migration.
    private readonly NoiseLevelEmbedding noise_embed;
    private readonly Conv2d input_conv;
    private readonly ModuleList<UNetBlock> down;
    private readonly ResBlock middle_res1;
    private readonly AttentionBlock middle_attn;
    private readonly ResBlock middle_res2;
    private readonly ModuleList<UNetBlock> up;
    private readonly GroupNorm32 out_norm;
    private readonly Conv2d out_conv;

    /// <param name="config">Architecture; validated here.</param>
    /// <param name="device">Where to allocate parameters (null = default). torch.device("meta") builds
    /// the structure without allocating storage, e.g. to count parameters of a large config.</param>
    public PaletteUNet(UNetConfig config, Device? device = null) : base(nameof(PaletteUNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        int ch = config.BaseChannels, emb = config.EmbeddingChannels, levels = config.Levels;

        noise_embed = new NoiseLevelEmbedding(ch, emb, config.NoiseLevelScale, device);
        input_conv = nn.Conv2d(config.InChannels, ch, 3, padding: 1, device: device);

        AttentionBlock? AttentionAt(int level, int channels) => config.HasAttentionAt(level)
            ? new AttentionBlock(channels, config.HeadChannels, config.Attention, config.ResolutionAt(level), device)
            : null;

        // Down path: NumResBlocks per level, then a downsampling ResBlock (except at the last level).
        // skipChannels records every stored activation's width for the up path's concatenations.
        var downBlocks = new List<UNetBlock>();
        var skipChannels = new Stack<int>();
        skipChannels.Push(ch);
        int cur = ch;
        for (int level = 0; level < levels; level++)
        {
            int outCh = config.ChannelsAt(level);
            for (int i = 0; i < config.NumResBlocks; i++)
            {
                downBlocks.Add(new UNetBlock(
                    new ResBlock(cur, outCh, emb, config.Dropout, Resample.None, device),
                    AttentionAt(level, outCh)));
                cur = outCh;
                skipChannels.Push(cur);
            }
            if (level != levels - 1)
            {
                // The reference gives resampling ResBlocks no dropout.
                downBlocks.Add(new UNetBlock(new ResBlock(cur, cur, emb, 0.0, Resample.Down, device)));
                skipChannels.Push(cur);
            }
        }

        // Middle: Res - Attn - Res at the deepest level (attention here regardless of the list).
        middle_res1 = new ResBlock(cur, cur, emb, 0.0, Resample.None, device);
        middle_attn = new AttentionBlock(cur, config.HeadChannels, config.Attention, config.ResolutionAt(levels - 1), device);
        middle_res2 = new ResBlock(cur, cur, emb, 0.0, Resample.None, device);

        // Up path: NumResBlocks + 1 per level (each consumes one skip), the last one upsampling.
        var upBlocks = new List<UNetBlock>();
        for (int level = levels - 1; level >= 0; level--)
        {
            int outCh = config.ChannelsAt(level);
            for (int j = 0; j <= config.NumResBlocks; j++)
            {
                var res = new ResBlock(cur + skipChannels.Pop(), outCh, emb, config.Dropout, Resample.None, device);
                cur = outCh;
                var upsample = level > 0 && j == config.NumResBlocks
                    ? new ResBlock(cur, cur, emb, 0.0, Resample.Up, device)
                    : null;
                upBlocks.Add(new UNetBlock(res, AttentionAt(level, cur), upsample));
            }
        }

        down = nn.ModuleList(downBlocks.ToArray());
        up = nn.ModuleList(upBlocks.ToArray());
        out_norm = Normalization.GroupNorm(cur, device);
        out_conv = nn.Conv2d(cur, config.OutChannels, 3, padding: 1, device: device);
        RegisterComponents();
    }

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>All attention blocks (down, middle, up), in forward order.</summary>
    public IEnumerable<AttentionBlock> AttentionBlocks =>
        down.Select(b => b.Attention).Append(middle_attn).Concat(up.Select(b => b.Attention)).OfType<AttentionBlock>();

    /// <summary>input (B, InChannels, H, W), gamma (B) noise levels -> (B, OutChannels, H, W).</summary>
    public override Tensor forward(Tensor input, Tensor gamma)
    {
        CheckInputs(input, gamma);
        var emb = noise_embed.forward(gamma.to(input.device)).to(input.dtype);

        var h = input_conv.forward(input);
        var skips = new Stack<Tensor>();
        skips.Push(h);
        foreach (var block in down)
        {
            h = block.forward(h, emb);
            skips.Push(h);
        }

        h = middle_res1.forward(h, emb);
        h = middle_attn.forward(h);
        h = middle_res2.forward(h, emb);

        foreach (var block in up)
            h = block.forward(torch.cat([h, skips.Pop()], 1), emb);

        return OutputConvolution.Apply(out_conv, nn.functional.silu(out_norm.forward(h)));
    }

    private void CheckInputs(Tensor input, Tensor gamma)
    {
        if (input.dim() != 4 || input.shape[1] != Config.InChannels)
            throw new ArgumentException(
                $"input must be (B, {Config.InChannels}, H, W); got ({string.Join(", ", input.shape)}).", nameof(input));
        long hh = input.shape[2], ww = input.shape[3], m = Config.SizeMultiple;
        if (hh % m != 0 || ww % m != 0 || hh == 0 || ww == 0)
            throw new ArgumentException(
                $"input height and width must be positive multiples of 2^(levels-1) = {m}; got {hh}x{ww}.", nameof(input));
        if (gamma.numel() != input.shape[0])
            throw new ArgumentException(
                $"gamma must hold one noise level per batch item ({input.shape[0]}); got shape ({string.Join(", ", gamma.shape)}).", nameof(gamma));
    }
}
