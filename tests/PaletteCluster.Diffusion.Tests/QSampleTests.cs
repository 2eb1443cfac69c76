using PaletteCluster.Diffusion;
using TorchSharp;
using static TorchSharp.torch;
using static PaletteCluster.Diffusion.Tests.TestTensors;
using PaletteCluster.Recipes;

namespace PaletteCluster.Diffusion.Tests;

public class QSampleTests
{
    [Theory]
    [InlineData(0.3, 0.5)]
    [InlineData(-0.8, 0.95)]
    [InlineData(0.6, 0.05)]
    public void EmpiricalMomentsMatchSqrtGammaY0AndOneMinusGamma(double y0Value, double gamma)
    {
        var diffusion = new GaussianDiffusion(new NoiseSchedule(NoiseScheduleSpec.PaletteTrain));
        const long b = 2, n = 3 * 200 * 200; // 120k elements per item, 240k in all
        using var y0 = full(new long[] { b, 3, 200, 200 }, y0Value);
        using var g = full(new long[] { b }, gamma);
        using var noise = randn(y0.shape, generator: Gen(11));
        using var y = diffusion.QSample(y0, g, noise);

        double variance = 1 - gamma;
        for (int i = 0; i < b; i++)
        {
            double mean = y[i].to_type(ScalarType.Float64).mean().item<double>();
            double empiricalVar = y[i].to_type(ScalarType.Float64).var().item<double>();
            // 5 standard errors: mean has sd sqrt(var/n), the variance sd var*sqrt(2/n).
            Assert.InRange(mean, Math.Sqrt(gamma) * y0Value - 5 * Math.Sqrt(variance / n), Math.Sqrt(gamma) * y0Value + 5 * Math.Sqrt(variance / n));
            Assert.InRange(empiricalVar, variance * (1 - 5 * Math.Sqrt(2.0 / n)), variance * (1 + 5 * Math.Sqrt(2.0 / n)));
        }
    }

    [Fact]
    public void UsesEachItemsOwnGamma()
    {
        var diffusion = new GaussianDiffusion(new NoiseSchedule(NoiseScheduleSpec.PaletteTrain));
        using var y0 = Images(2, 3, 4, 4, 1).to_type(ScalarType.Float64);
        using var noise = Images(2, 3, 4, 4, 2).to_type(ScalarType.Float64);
        using var g = tensor(new[] { 0.25, 1 - 1e-7 });
        using var y = diffusion.QSample(y0, g, noise);
        Assert.True(MaxAbs(y[0], y0[0] * 0.5 + noise[0] * Math.Sqrt(0.75)) < 1e-12);
        Assert.True(MaxAbs(y[1], y0[1] * Math.Sqrt(1 - 1e-7) + noise[1] * Math.Sqrt(1e-7)) < 1e-12);
        Assert.Throws<ArgumentException>(() => diffusion.QSample(y0, tensor(new[] { 0.5 }), noise));
    }
}
