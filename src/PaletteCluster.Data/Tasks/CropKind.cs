namespace PaletteCluster.Data.Tasks;

/// <summary>The two crop kinds of the Palette paper.</summary>
public enum CropKind
{
    /// <summary>A uniformly placed largest square, resized to size x size (what colorization uses).</summary>
    LargestSquare,

    /// <summary>
    /// A uniformly placed size x size crop at native resolution (no resampling); when the image is smaller than
    /// size on either side it falls back to <see cref="LargestSquare"/>.
    /// </summary>
    Random,
}
