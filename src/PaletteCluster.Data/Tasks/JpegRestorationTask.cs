using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tasks;

/// <summary>
/// JPEG restoration: condition = the crop JPEG-compressed at quality Q (Skia/libjpeg-turbo encode, then decode),
/// target = the crop. Q in [<see cref="MinQuality"/>, <see cref="MaxQuality"/>] = 5..30 is drawn from the
/// truncated exponential law p(Q) proportional to exp(<see cref="Rate"/> * Q).
/// <para>
/// The rate is a setting. Default -1/10, the Palette paper's appendix (e^(-Q/10): low qualities, i.e. heavier
/// artifacts, more often). The patent text prints e^(Q/10) (rate +1/10), which favours high qualities; pass
/// <c>rate: 0.1</c> to get it. Rate 0 is uniform.
/// </para>
/// </summary>
public sealed class JpegRestorationTask : IImageTask
{
    public const int MinQuality = 5;
    public const int MaxQuality = 30;
    public const double PaperRate = -0.1;
    public const double PatentTextRate = 0.1;

    public JpegRestorationTask(double rate = PaperRate, Crops? crops = null)
    {
        if (!double.IsFinite(rate)) throw new ArgumentOutOfRangeException(nameof(rate));
        Rate = rate;
        Crops = crops ?? Crops.LargestSquare;
        Probabilities = QualityProbabilities(rate);
    }

    public double Rate { get; }
    public Crops Crops { get; }
    /// <summary>Probabilities[i] = P(Q = MinQuality + i).</summary>
    public IReadOnlyList<double> Probabilities { get; }
    public string Name => "jpeg";
    public bool HasMask => false;

    /// <summary>The exact law: P(Q = MinQuality + i) = exp(rate*Q) / sum over 5..30 of exp(rate*q).</summary>
    public static double[] QualityProbabilities(double rate)
    {
        var p = new double[MaxQuality - MinQuality + 1];
        // Shift the exponent by its maximum so large |rate| cannot overflow.
        double top = rate >= 0 ? rate * MaxQuality : rate * MinQuality;
        for (int i = 0; i < p.Length; i++) p[i] = Math.Exp(rate * (MinQuality + i) - top);
        double sum = p.Sum();
        for (int i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }

    /// <summary>One quality factor by inverting the CDF with a single uniform draw.</summary>
    public int DrawQuality(ref DeterministicRng rng)
    {
        double u = rng.NextDouble(), cumulative = 0;
        for (int i = 0; i < Probabilities.Count; i++)
        {
            cumulative += Probabilities[i];
            if (u < cumulative) return MinQuality + i;
        }
        return MaxQuality; // u within rounding of 1
    }

    public TaskSample Make(RgbImage image, int size, ref DeterministicRng rng) => MakeWithQuality(image, size, ref rng).Sample;

    /// <summary>As <see cref="Make"/>, also returning the quality used.</summary>
    public (TaskSample Sample, int Quality) MakeWithQuality(RgbImage image, int size, ref DeterministicRng rng)
    {
        var target = Crops.Apply(image, size, ref rng);
        int q = DrawQuality(ref rng);
        var condition = JpegCodec.RoundTrip(target, q);
        return (new TaskSample(ImageTensors.ToChw(condition), ImageTensors.ToChw(target), null, size), q);
    }
}
