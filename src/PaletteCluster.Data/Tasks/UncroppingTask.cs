using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tasks;

/// <summary>
/// Uncropping (outpainting): 50 % of the image is masked along one side (default; side uniform) or, with
/// <see cref="UncroppingSides"/>, a quarter along each of two opposite sides. A one-side mask covers
/// size/2 rows/columns (rounded down, so exactly half for even sizes); two-side masks cover size/4 on each side.
/// Condition = target with the masked part filled with clamped standard normal noise from the rng
/// (<see cref="MaskedCondition.NoiseFilled"/>). Draw order: crop, layout, noise.
/// </summary>
public sealed class UncroppingTask : IImageTask
{
    public UncroppingTask(UncroppingSides sides = UncroppingSides.One, Crops? crops = null)
    {
        Sides = sides;
        Crops = crops ?? Crops.LargestSquare;
    }

    public UncroppingSides Sides { get; }
    public Crops Crops { get; }
    public string Name => "uncropping";
    public bool HasMask => true;

    public TaskSample Make(RgbImage image, int size, ref DeterministicRng rng) => MakeWithLayout(image, size, ref rng).Sample;

    /// <summary>As <see cref="Make"/>, also returning the layout drawn.</summary>
    public (TaskSample Sample, UncroppingLayout Layout) MakeWithLayout(RgbImage image, int size, ref DeterministicRng rng)
    {
        var target = ImageTensors.ToChw(Crops.Apply(image, size, ref rng));
        var layout = DrawLayout(ref rng);
        var mask = BuildMask(layout, size);
        var condition = MaskedCondition.NoiseFilled(target, mask, ref rng);
        return (new TaskSample(condition, target, mask, size), layout);
    }

    /// <summary>One layout, uniform over those allowed by <see cref="Sides"/>.</summary>
    public UncroppingLayout DrawLayout(ref DeterministicRng rng) => Sides switch
    {
        UncroppingSides.One => (UncroppingLayout)rng.NextInt(4),
        UncroppingSides.TwoOpposite => UncroppingLayout.LeftAndRight + rng.NextInt(2),
        UncroppingSides.Any => (UncroppingLayout)rng.NextInt(6),
        _ => throw new InvalidOperationException($"Unknown uncropping setting {Sides}."),
    };

    /// <summary>The size*size mask (1 = generate) of a layout.</summary>
    public static float[] BuildMask(UncroppingLayout layout, int size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size));
        var mask = new float[size * size];
        int half = size / 2, quarter = size / 4;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                bool masked = layout switch
                {
                    UncroppingLayout.Left => x < half,
                    UncroppingLayout.Right => x >= size - half,
                    UncroppingLayout.Top => y < half,
                    UncroppingLayout.Bottom => y >= size - half,
                    UncroppingLayout.LeftAndRight => x < quarter || x >= size - quarter,
                    UncroppingLayout.TopAndBottom => y < quarter || y >= size - quarter,
                    _ => throw new ArgumentOutOfRangeException(nameof(layout)),
                };
                if (masked) mask[y * size + x] = 1f;
            }
        return mask;
    }
}
