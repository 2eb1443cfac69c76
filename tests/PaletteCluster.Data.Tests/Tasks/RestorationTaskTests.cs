using PaletteCluster.Data.Tasks;
using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tests.Tasks;

public class RestorationTaskTests
{
    private static readonly RgbImage Wide = TaskTestImages.Gradient(300, 200);

    private static double MeanAbs(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Average();

    [Fact]
    public void SuperResolution_ConditionIsTheFourTimesDownUpResize()
    {
        var task = new SuperResolutionTask();
        Assert.Equal(4, task.Factor);
        var sharp = TaskTestImages.Gradient(64, 64); // the 2-px checker survives at 64 and is lost at 16
        var rng = TaskTestImages.Rng(11);
        var replay = rng;
        var s = task.Make(sharp, 64, ref rng);
        var target = task.Crops.Apply(sharp, 64, ref replay);
        Assert.Equal(ImageTensors.ToChw(target), s.Target);
        Assert.Equal(ImageTensors.ToChw(ImageOps.Resize(ImageOps.Resize(target, 16, 16), 64, 64)), s.Condition);
        Assert.InRange(MeanAbs(s.Condition, s.Target), 0.01, 0.5);
    }

    [Fact]
    public void Denoising_NoiseLevelLiesInTheConfiguredRange()
    {
        var flat = new RgbImage(80, 80, Enumerable.Repeat((byte)128, 80 * 80 * 3).ToArray()); // no clamping near 0
        foreach (var (lo, hi) in new[] { (0.05, 0.05), (0.3, 0.3), (0.05, 0.3) })
        {
            var task = new DenoisingTask(lo, hi);
            for (ulong seed = 0; seed < 5; seed++)
            {
                var rng = TaskTestImages.Rng(seed);
                var s = task.Make(flat, 64, ref rng);
                double sd = Math.Sqrt(s.Condition.Zip(s.Target, (a, b) => (double)(a - b) * (a - b)).Average());
                Assert.InRange(sd, lo * 0.95, hi * 1.05);
            }
        }
    }

    [Fact]
    public void Deblurring_Blurs_MoreWithLargerSigma_AndKeepsFlatImagesFlat()
    {
        var rng = TaskTestImages.Rng(2);
        var r2 = rng;
        var weak = new DeblurringTask(0.5, 0.5).Make(Wide, 64, ref rng);
        var strong = new DeblurringTask(3, 3).Make(Wide, 64, ref r2);
        Assert.Equal(weak.Target, strong.Target);
        double dWeak = MeanAbs(weak.Condition, weak.Target), dStrong = MeanAbs(strong.Condition, strong.Target);
        Assert.True(dWeak > 0 && dStrong > dWeak, $"blur error {dWeak} (sigma 0.5) vs {dStrong} (sigma 3)");

        var flat = new float[3 * 20 * 20];
        Array.Fill(flat, 0.25f);
        Assert.All(GaussianBlur.BlurChw(flat, 20, 20, 2.0), v => Assert.Equal(0.25f, v, 5));
        Assert.Equal(1.0, GaussianBlur.Kernel(1.7).Sum(), 12);
    }
}
