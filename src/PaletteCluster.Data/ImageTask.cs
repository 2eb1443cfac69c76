using PaletteCluster.Imaging;

namespace PaletteCluster.Data;

/// <summary>
/// One training pair in CHW float32 layout, values in [-1,1]: <see cref="Condition"/> and <see cref="Target"/> are
/// 3*Size*Size; <see cref="Mask"/> (1*Size*Size, 1 = region to generate) is null for tasks without one.
/// </summary>
public sealed record TaskSample(float[] Condition, float[] Target, float[]? Mask, int Size);

/// <summary>
/// An image-to-image task (colorization now; inpainting, uncropping, JPEG restoration, SR later): turns a decoded
/// image into a (condition, target, mask?) pair. All randomness must come from <paramref name="rng"/>, which the
/// loader seeds per sample from (seed, epoch, index), so a sample is reproducible without global RNG state.
/// </summary>
public interface IImageTask
{
    string Name { get; }
    /// <summary>Whether <see cref="TaskSample.Mask"/> is produced (fixed per task, so batches are uniform).</summary>
    bool HasMask { get; }
    TaskSample Make(RgbImage image, int size, ref DeterministicRng rng);
}

/// <summary>Augmentations shared by tasks.</summary>
public static class Augment
{
    /// <summary>
    /// A uniformly placed largest square crop, resized to size x size, mirrored with probability 1/2.
    /// Draws exactly three values from <paramref name="rng"/> (x, y, flip).
    /// </summary>
    public static RgbImage RandomSquareCropFlip(RgbImage image, int size, ref DeterministicRng rng)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size));
        int side = Math.Min(image.Width, image.Height);
        int x = rng.NextInt(image.Width - side + 1);
        int y = rng.NextInt(image.Height - side + 1);
        bool flip = rng.NextBool();
        var square = side == image.Width && side == image.Height ? image : ImageOps.Crop(image, x, y, side, side);
        var resized = ImageOps.Resize(square, size, size);
        return flip ? ImageOps.FlipHorizontal(resized) : resized;
    }
}

/// <summary>Colorization: target = RGB, condition = Rec.601 luma replicated to 3 channels, no mask.</summary>
public sealed class ColorizationTask : IImageTask
{
    public string Name => "colorization";
    public bool HasMask => false;

    public TaskSample Make(RgbImage image, int size, ref DeterministicRng rng)
    {
        var target = Augment.RandomSquareCropFlip(image, size, ref rng);
        var condition = ImageOps.ToLuma(target);
        return new TaskSample(ImageTensors.ToChw(condition), ImageTensors.ToChw(target), null, size);
    }
}
