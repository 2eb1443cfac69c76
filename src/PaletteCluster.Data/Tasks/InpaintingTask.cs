using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tasks;

/// <summary>
/// Inpainting: target = the cropped image; mask from <see cref="InpaintingMaskGenerator"/> (free-form strokes with
/// p = 0.6, else 1..5 rectangles, 10..40 % of the area); condition = the target with the masked pixels replaced by
/// standard normal noise clamped to [-1,1] (drawn from the rng, see <see cref="MaskedCondition.NoiseFilled"/>).
/// Draw order: crop, mask, noise.
/// </summary>
public sealed class InpaintingTask : IImageTask
{
    public InpaintingTask(Crops? crops = null, InpaintingMaskGenerator? masks = null)
    {
        Crops = crops ?? Crops.LargestSquare;
        Masks = masks ?? new InpaintingMaskGenerator();
    }

    public Crops Crops { get; }
    public InpaintingMaskGenerator Masks { get; }
    public string Name => "inpainting";
    public bool HasMask => true;

    public TaskSample Make(RgbImage image, int size, ref DeterministicRng rng) => MakeWithMask(image, size, ref rng).Sample;

    /// <summary>As <see cref="Make"/>, also returning the mask details (kind, rectangle count) for statistics.</summary>
    public (TaskSample Sample, InpaintingMask Mask) MakeWithMask(RgbImage image, int size, ref DeterministicRng rng)
    {
        var target = ImageTensors.ToChw(Crops.Apply(image, size, ref rng));
        var mask = Masks.Generate(size, ref rng);
        var condition = MaskedCondition.NoiseFilled(target, mask.Values, ref rng);
        return (new TaskSample(condition, target, mask.Values, size), mask);
    }
}
