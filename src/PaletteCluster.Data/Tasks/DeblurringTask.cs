using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tasks;

/// <summary>
/// Deblurring: condition = the crop blurred with an isotropic Gaussian (<see cref="GaussianBlur"/>) whose sigma, in
/// pixels of the output size, is uniform in [<see cref="MinSigma"/>, <see cref="MaxSigma"/>] (default 1..3);
/// target = the crop. Draw order: crop, sigma.
/// </summary>
public sealed class DeblurringTask : IImageTask
{
    public DeblurringTask(double minSigma = 1.0, double maxSigma = 3.0, Crops? crops = null)
    {
        if (!(minSigma >= 0) || !(maxSigma >= minSigma) || !double.IsFinite(maxSigma))
            throw new ArgumentOutOfRangeException(nameof(minSigma), $"Need 0 <= minSigma <= maxSigma, got [{minSigma}, {maxSigma}].");
        MinSigma = minSigma;
        MaxSigma = maxSigma;
        Crops = crops ?? Crops.LargestSquare;
    }

    public double MinSigma { get; }
    public double MaxSigma { get; }
    public Crops Crops { get; }
    public string Name => "deblurring";
    public bool HasMask => false;

    public TaskSample Make(RgbImage image, int size, ref DeterministicRng rng)
    {
        var target = ImageTensors.ToChw(Crops.Apply(image, size, ref rng));
        double sigma = MinSigma + (MaxSigma - MinSigma) * rng.NextDouble();
        var condition = GaussianBlur.BlurChw(target, size, size, sigma);
        return new TaskSample(condition, target, null, size);
    }
}
