using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tasks;

/// <summary>
/// x4 super-resolution: condition = the crop downsampled to size/4 (at least 1 px) and upsampled back to size,
/// target = the crop. Both steps use <see cref="ImageOps.Resize"/>: the 4x downscale takes its trilinear
/// mipmapped (area-like, anti-aliased) path and the upscale its Mitchell bicubic path, so the condition has the
/// network's input size (Palette conditions by concatenation). Only the crop draws from the rng.
/// </summary>
public sealed class SuperResolutionTask : IImageTask
{
    public SuperResolutionTask(int factor = 4, Crops? crops = null)
    {
        if (factor < 2) throw new ArgumentOutOfRangeException(nameof(factor), "The scale factor must be at least 2.");
        Factor = factor;
        Crops = crops ?? Crops.LargestSquare;
    }

    public int Factor { get; }
    public Crops Crops { get; }
    public string Name => $"sr{Factor}x";
    public bool HasMask => false;

    public TaskSample Make(RgbImage image, int size, ref DeterministicRng rng)
    {
        var target = Crops.Apply(image, size, ref rng);
        int low = Math.Max(1, size / Factor);
        var condition = ImageOps.Resize(ImageOps.Resize(target, low, low), size, size);
        return new TaskSample(ImageTensors.ToChw(condition), ImageTensors.ToChw(target), null, size);
    }
}
