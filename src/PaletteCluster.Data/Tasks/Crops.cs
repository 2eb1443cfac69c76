using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tasks;

/// <summary>
/// Crop settings shared by the tasks: which <see cref="CropKind"/> and whether to mirror left-right with
/// probability 1/2. Accepts any image size. The default (<see cref="LargestSquare"/>) matches colorization.
/// </summary>
public sealed record Crops(CropKind Kind = CropKind.LargestSquare, bool HorizontalFlip = true)
{
    /// <summary>Largest square crop resized to size, with flips: the default for every task.</summary>
    public static Crops LargestSquare { get; } = new();

    /// <summary>Random size x size crops (largest-square fallback for small images), with flips.</summary>
    public static Crops RandomCrop { get; } = new(CropKind.Random);

    /// <summary>
    /// A size x size image. Always draws x, y (and the flip bit when <see cref="HorizontalFlip"/>), so the number
    /// of draws does not depend on the image size.
    /// </summary>
    public RgbImage Apply(RgbImage image, int size, ref DeterministicRng rng)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size));
        // Keep exactly the draws of the colorization path so both stay comparable for a seed.
        if (Kind == CropKind.LargestSquare && HorizontalFlip) return Augment.RandomSquareCropFlip(image, size, ref rng);

        bool native = Kind == CropKind.Random && image.Width >= size && image.Height >= size;
        int w = native ? size : Math.Min(image.Width, image.Height);
        int x = rng.NextInt(image.Width - w + 1);
        int y = rng.NextInt(image.Height - w + 1);
        bool flip = HorizontalFlip && rng.NextBool();
        var crop = w == image.Width && w == image.Height ? image : ImageOps.Crop(image, x, y, w, w);
        var resized = native ? crop : ImageOps.Resize(crop, size, size);
        return flip ? ImageOps.FlipHorizontal(resized) : resized;
    }
}
