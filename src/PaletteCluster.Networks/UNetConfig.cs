using PaletteCluster.Recipes;

namespace PaletteCluster.Networks;

/// <summary>
/// Hyper-parameters of <see cref="PaletteUNet"/>, a guided-diffusion style UNet conditioned on the noise
/// level. The defaults are the widely used open Palette configuration (<see cref="Small"/>).
/// </summary>
/// <remarks>
/// Arrays make the record's equality reference-based; compare with <see cref="Describe"/> when needed.
/// The presets are built anew on each access so no caller can mutate a shared array.
/// </remarks>
public sealed record UNetConfig
{
    /// <summary>GroupNorm groups used everywhere (fixed, as in guided-diffusion).</summary>
    public const int NormGroups = 32;

    /// <summary>Input channels: condition image (3) + noisy target (3) = 6; 7 with a mask channel.</summary>
    public int InChannels { get; init; } = 6;

    /// <summary>Output channels: the predicted noise (3).</summary>
    public int OutChannels { get; init; } = 3;

    /// <summary>Base channel count; also the sinusoidal embedding size (the MLP widens it to 4x).</summary>
    public int BaseChannels { get; init; } = 64;

    /// <summary>Channel multiplier per resolution level; one level per entry (default 1,2,4,8).</summary>
    public int[] ChannelMults { get; init; } = [1, 2, 4, 8];

    /// <summary>ResBlocks per level on the way down (the way up has one more, as in guided-diffusion). Default 2.</summary>
    public int NumResBlocks { get; init; } = 2;

    /// <summary>
    /// Feature-map resolutions (in pixels, for an <see cref="ImageSize"/> input) that get self-attention
    /// after each ResBlock. Default 32. The middle block always has attention.
    /// </summary>
    public int[] AttentionResolutions { get; init; } = [32];

    /// <summary>Nominal training image size (default 256). Decides which levels get attention.</summary>
    public int ImageSize { get; init; } = 256;

    /// <summary>Channels per attention head (heads = channels / HeadChannels). Default 32.</summary>
    public int HeadChannels { get; init; } = 32;

    /// <summary>Dropout probability inside the level ResBlocks (default 0, as the reference script).</summary>
    public double Dropout { get; init; } = 0.0;

    /// <summary>Global (default) or local (2x2 tiles) self-attention.</summary>
    public AttentionKind Attention { get; init; } = AttentionKind.Global;

    /// <summary>
    /// The noise level gamma in (0,1] is multiplied by this before the sinusoidal embedding, which was
    /// designed for integer timesteps (max period 1e4); default 1000 (WaveGrad-style).
    /// </summary>
    public double NoiseLevelScale { get; init; } = 1000.0;

    /// <summary>Number of resolution levels (= ChannelMults.Length).</summary>
    public int Levels => ChannelMults.Length;

    /// <summary>Width of the noise-level embedding fed to every ResBlock (4 x BaseChannels).</summary>
    public int EmbeddingChannels => 4 * BaseChannels;

    /// <summary>Input height and width must be multiples of this (2^(levels-1)).</summary>
    public int SizeMultiple => 1 << (Levels - 1);

    /// <summary>Channels of the feature maps at a level.</summary>
    public int ChannelsAt(int level) => BaseChannels * ChannelMults[level];

    /// <summary>Feature-map resolution at a level for an <see cref="ImageSize"/> input.</summary>
    public int ResolutionAt(int level) => ImageSize >> level;

    /// <summary>
    /// Whether the level's blocks get attention. Compares the level's feature-map resolution with the
    /// configured list (an open implementation wrongly compares the downsampling factor instead).
    /// </summary>
    public bool HasAttentionAt(int level) => AttentionResolutions.Contains(ResolutionAt(level));

    /// <summary>Tiny model for CPU tests: ~1.37M parameters, 32x32 images.</summary>
    public static UNetConfig Tiny => new()
    {
        BaseChannels = 32, ChannelMults = [1, 2, 2], NumResBlocks = 1,
        AttentionResolutions = [16], HeadChannels = 32, ImageSize = 32,
    };

    /// <summary>The widely used open Palette config: 67.9M parameters.</summary>
    public static UNetConfig Small => new()
    {
        BaseChannels = 64, ChannelMults = [1, 2, 4, 8], NumResBlocks = 2,
        AttentionResolutions = [32], HeadChannels = 32, ImageSize = 256,
    };

    /// <summary>The Palette paper's size (guided-diffusion ADM 256): 552.8M parameters.</summary>
    public static UNetConfig Adm => new()
    {
        BaseChannels = 256, ChannelMults = [1, 1, 2, 2, 4, 4], NumResBlocks = 2,
        AttentionResolutions = [32, 16, 8], HeadChannels = 64, ImageSize = 256,
    };

    /// <summary>Names accepted by <see cref="FromPreset(string)"/>: those of <see cref="UNetPreset"/>.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = SpecNames.All<UNetPreset>();

    /// <summary>A preset by name (case-insensitive): tiny, small or adm.</summary>
    public static UNetConfig FromPreset(string name) => SpecNames.TryParse<UNetPreset>(name, out var preset)
        ? FromPreset(preset)
        : throw new ArgumentException($"Unknown UNet preset '{name}'. Valid presets: {string.Join(", ", PresetNames)}.", nameof(name));

    public static UNetConfig FromPreset(UNetPreset preset) => preset switch
    {
        UNetPreset.Tiny => Tiny,
        UNetPreset.Small => Small,
        UNetPreset.Adm => Adm,
        _ => throw new ArgumentException($"Unknown UNet preset {preset}. Valid presets: {string.Join(", ", PresetNames)}.", nameof(preset)),
    };

    /// <summary>Throws <see cref="ArgumentException"/> describing the first problem found.</summary>
    public UNetConfig Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok) throw new ArgumentException($"Invalid UNetConfig: {message}");
        }

        Check(InChannels >= 1, $"InChannels must be >= 1 (got {InChannels}).");
        Check(OutChannels >= 1, $"OutChannels must be >= 1 (got {OutChannels}).");
        Check(BaseChannels >= 1, $"BaseChannels must be >= 1 (got {BaseChannels}).");
        Check(ChannelMults is { Length: > 0 }, "ChannelMults must have at least one entry.");
        Check(ChannelMults.All(m => m >= 1), $"ChannelMults must all be >= 1 (got {string.Join(",", ChannelMults)}).");
        Check(NumResBlocks >= 1, $"NumResBlocks must be >= 1 (got {NumResBlocks}).");
        Check(HeadChannels >= 1, $"HeadChannels must be >= 1 (got {HeadChannels}).");
        Check(AttentionResolutions is not null, "AttentionResolutions must not be null (use an empty array).");
        Check(Dropout >= 0 && Dropout < 1, $"Dropout must be in [0, 1) (got {Dropout}).");
        Check(double.IsFinite(NoiseLevelScale) && NoiseLevelScale > 0,
            $"NoiseLevelScale must be finite and > 0 (got {NoiseLevelScale}).");
        Check(BaseChannels % 2 == 0, $"BaseChannels must be even for the sinusoidal embedding (got {BaseChannels}).");
        Check(Levels <= 30, $"Too many levels ({Levels}).");
        Check(ImageSize >= 1 && ImageSize % SizeMultiple == 0,
            $"ImageSize {ImageSize} must be a positive multiple of 2^(levels-1) = {SizeMultiple} for {Levels} levels.");

        for (int level = 0; level < Levels; level++)
        {
            int c = ChannelsAt(level);
            Check(c % NormGroups == 0,
                $"channels at level {level} ({BaseChannels} x {ChannelMults[level]} = {c}) must be divisible by {NormGroups} GroupNorm groups.");
        }

        var resolutions = Enumerable.Range(0, Levels).Select(ResolutionAt).ToArray();
        foreach (int r in AttentionResolutions!)
            Check(resolutions.Contains(r),
                $"attention resolution {r} never occurs for ImageSize {ImageSize}; the levels' resolutions are {string.Join(", ", resolutions)}.");

        // Attention levels, plus the middle block (always attention, at the deepest level).
        var attentionLevels = Enumerable.Range(0, Levels).Where(HasAttentionAt).Append(Levels - 1).Distinct();
        foreach (int level in attentionLevels)
        {
            int c = ChannelsAt(level);
            Check(c % HeadChannels == 0,
                $"channels at attention level {level} ({c}) must be divisible by HeadChannels ({HeadChannels}).");
            if (Attention == AttentionKind.Local)
                Check(ResolutionAt(level) % 2 == 0,
                    $"local attention needs an even feature-map size; level {level} has {ResolutionAt(level)}x{ResolutionAt(level)}.");
        }
        return this;
    }

    /// <summary>A one-line summary, e.g. for logs.</summary>
    public string Describe() =>
        $"in={InChannels} out={OutChannels} ch={BaseChannels} mults=[{string.Join(",", ChannelMults)}] " +
        $"res_blocks={NumResBlocks} attn=[{string.Join(",", AttentionResolutions)}] image={ImageSize} " +
        $"head_ch={HeadChannels} dropout={Dropout} attention={Attention} noise_scale={NoiseLevelScale}";
}
