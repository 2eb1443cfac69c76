using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tasks;

/// <summary>
/// Denoising: condition = target + N(0, sigma^2) per channel value, clamped to [-1,1]; sigma is drawn uniformly
/// from [<see cref="MinSigma"/>, <see cref="MaxSigma"/>] per sample, in [-1,1] units (default 0.05..0.3, i.e.
/// about 6..38 gray levels of 255). Target = the crop. Draw order: crop, sigma, noise.
/// </summary>
public sealed class DenoisingTask : IImageTask
{
    public DenoisingTask(double minSigma = 0.05, double maxSigma = 0.3, Crops? crops = null)
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
    public string Name => "denoising";
    public bool HasMask => false;

    public TaskSample Make(RgbImage image, int size, ref DeterministicRng rng)
    {
        var target = ImageTensors.ToChw(Crops.Apply(image, size, ref rng));
        double sigma = MinSigma + (MaxSigma - MinSigma) * rng.NextDouble();
        var condition = new float[target.Length];
        GaussianNoise.Fill(condition, sigma, ref rng);
        for (int i = 0; i < condition.Length; i++) condition[i] = Math.Clamp(target[i] + condition[i], -1f, 1f);
        return new TaskSample(condition, target, null, size);
    }
}
