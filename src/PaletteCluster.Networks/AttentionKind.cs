namespace PaletteCluster.Networks;

/// <summary>Which self-attention the UNet's attention blocks use.</summary>
public enum AttentionKind
{
    /// <summary>Every position attends to every position of the feature map.</summary>
    Global,

    /// <summary>
    /// The feature map is cut into four non-overlapping 2x2 query blocks (tiles) and attention runs
    /// within each tile only (Palette's "local self-attention"); same parameters as <see cref="Global"/>.
    /// </summary>
    Local,
}
