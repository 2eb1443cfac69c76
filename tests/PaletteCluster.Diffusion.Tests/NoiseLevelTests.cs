using PaletteCluster.Diffusion;
using TorchSharp;
using static TorchSharp.torch;
using static PaletteCluster.Diffusion.Tests.TestTensors;
using PaletteCluster.Recipes;

namespace PaletteCluster.Diffusion.Tests;

public class NoiseLevelTests
{
    [Fact]
    public void EachGammaLiesBetweenGammaTAndGammaTMinusOne()
    {
        var schedule = new NoiseSchedule(NoiseScheduleSpec.PaletteTrain);
        var diffusion = new GaussianDiffusion(schedule);
        var (t, gamma) = diffusion.SampleTimestepsAndNoiseLevels(20_000, Gen(3), CPU);
        using (t)
        using (gamma)
        {
            var ts = t.data<long>().ToArray();
            var gs = gamma.data<double>().ToArray();
            int strictlyInside = 0;
            for (int i = 0; i < ts.Length; i++)
            {
                Assert.InRange(ts[i], 1, schedule.Steps);
                double lo = schedule.Gamma((int)ts[i]), hi = schedule.GammaPrev((int)ts[i]);
                Assert.InRange(gs[i], lo, hi);
                if (gs[i] > lo && gs[i] < hi)
                    strictlyInside++;
            }
            // Continuous levels: not snapped to the table.
            Assert.True(strictlyInside > ts.Length * 0.99);
        }
    }

    [Fact]
    public void FloatNoiseLevelsStayWithinTheirIntervalUpToFloat32Rounding()
    {
        var schedule = new NoiseSchedule(NoiseScheduleSpec.PaletteTrain);
        var diffusion = new GaussianDiffusion(schedule);
        var (t, _) = diffusion.SampleTimestepsAndNoiseLevels(5000, Gen(8), CPU);
        using var gamma = diffusion.SampleNoiseLevel(5000, Gen(8), CPU);
        Assert.Equal(ScalarType.Float32, gamma.dtype);
        Assert.Equal(new long[] { 5000 }, gamma.shape);
        var ts = t.data<long>().ToArray();
        var gs = gamma.data<float>().ToArray();
        for (int i = 0; i < ts.Length; i++)
            Assert.InRange(gs[i], schedule.Gamma((int)ts[i]) - 6e-8, schedule.GammaPrev((int)ts[i]) + 6e-8);
        t.Dispose();
    }

    [Fact]
    public void StepsAreUniformOverOneToT()
    {
        // Chi-square over 20 bins of 100 steps each; 95% critical value for 19 dof is 30.14, 99.9% is 43.8.
        var diffusion = new GaussianDiffusion(new NoiseSchedule(NoiseScheduleSpec.PaletteTrain));
        const int n = 200_000, bins = 20;
        var (t, gamma) = diffusion.SampleTimestepsAndNoiseLevels(n, Gen(21), CPU);
        using (t)
        using (gamma)
        {
            var counts = new double[bins];
            foreach (var step in t.data<long>())
                counts[(step - 1) / 100]++;
            double expected = n / (double)bins;
            double chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
            Assert.True(chi2 < 43.8, $"chi-square {chi2}");
            Assert.Equal(1, t.min().item<long>());
            Assert.Equal(2000, t.max().item<long>());
        }
    }

    [Fact]
    public void DrawsAreReproducibleFromTheGeneratorSeed()
    {
        var diffusion = new GaussianDiffusion(new NoiseSchedule(NoiseScheduleSpec.PaletteTrain));
        using var a = diffusion.SampleNoiseLevel(64, Gen(1), CPU);
        using var b = diffusion.SampleNoiseLevel(64, Gen(1), CPU);
        using var c = diffusion.SampleNoiseLevel(64, Gen(2), CPU);
        Assert.True(Same(a, b));
        Assert.False(Same(a, c));
    }
}
