using PaletteCluster.Diffusion;
using TorchSharp;
using static TorchSharp.torch;
using static PaletteCluster.Diffusion.Tests.TestTensors;

namespace PaletteCluster.Diffusion.Tests;

public class PosteriorTests
{
    private static readonly NoiseSchedule Schedule = new("linear:100:1e-4:0.05");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(37)]
    [InlineData(100)]
    public void MeanAndVarianceMatchClosedForm(int t)
    {
        var diffusion = new GaussianDiffusion(Schedule);
        using var y0 = Images(2, 3, 4, 4, 1).to_type(ScalarType.Float64);
        using var yt = Images(2, 3, 4, 4, 2).to_type(ScalarType.Float64);

        // The brief's formula, from alpha/gamma products computed here from the betas.
        double alpha = 1 - Schedule.Betas[t - 1];
        double gamma = 1, gammaPrev = 1;
        for (int i = 1; i <= t; i++)
        {
            gammaPrev = gamma;
            gamma *= 1 - Schedule.Betas[i - 1];
        }
        double c0 = Math.Sqrt(gammaPrev) * (1 - alpha) / (1 - gamma);
        double c1 = Math.Sqrt(alpha) * (1 - gammaPrev) / (1 - gamma);
        double variance = (1 - gammaPrev) * (1 - alpha) / (1 - gamma);

        var (mean, var) = diffusion.QPosteriorMeanVariance(y0, yt, t);
        using (mean)
        using (var)
        using (var expected = y0 * c0 + yt * c1)
        {
            Assert.True(MaxAbs(mean, expected) < 1e-12);
            Assert.Equal(new long[] { 2, 1, 1, 1 }, var.shape);
            Assert.True(Math.Abs(var[0, 0, 0, 0].item<double>() - variance) < 1e-15);
        }
        if (t == 1)
            Assert.Equal(0.0, Schedule.PosteriorVariance[0]);
    }

    [Fact]
    public void MeanIsTheGaussianProductOfPriorAndTransition()
    {
        // q(y_{t-1}|y0) = N(sqrt(g_{t-1}) y0, 1 - g_{t-1}) times q(y_t|y_{t-1}) = N(sqrt(a_t) y_{t-1}, 1 - a_t), as a density in y_{t-1}:
        // precision = 1/(1 - g_{t-1}) + a_t/(1 - a_t); mean = var (sqrt(g_{t-1}) y0/(1 - g_{t-1}) + sqrt(a_t) y_t/(1 - a_t)).
        var diffusion = new GaussianDiffusion(Schedule);
        using var y0 = Images(3, 3, 5, 5, 3).to_type(ScalarType.Float64);
        using var yt = Images(3, 3, 5, 5, 4).to_type(ScalarType.Float64);
        using var steps = tensor(new long[] { 2, 50, 100 });

        var (mean, variance) = diffusion.QPosteriorMeanVariance(y0, yt, steps);
        using (mean)
        using (variance)
        {
            int[] ts = { 2, 50, 100 };
            for (int b = 0; b < 3; b++)
            {
                double a = Schedule.Alpha(ts[b]), gp = Schedule.GammaPrev(ts[b]);
                double v = 1 / (1 / (1 - gp) + a / (1 - a));
                using var expected = (y0[b] * (Math.Sqrt(gp) / (1 - gp)) + yt[b] * (Math.Sqrt(a) / (1 - a))) * v;
                Assert.True(MaxAbs(mean[b], expected) < 1e-10, $"mean at t={ts[b]}");
                Assert.True(Math.Abs(variance[b].item<double>() - v) < 1e-12, $"variance at t={ts[b]}");
            }
        }
    }

    [Fact]
    public void MeanMatchesMonteCarloConditionalExpectation()
    {
        // Draw (y_{t-1}, y_t) jointly from the forward process for one fixed y0; regress y_{t-1} on y_t.
        // E[y_{t-1} | y_t, y0] is linear in y_t, so the least-squares line must match the posterior coefficients.
        const int t = 30;
        const long n = 400_000;
        var diffusion = new GaussianDiffusion(Schedule);
        var gen = Gen(5);
        double y0Value = 0.7, a = Schedule.Alpha(t), gp = Schedule.GammaPrev(t);
        using var prev = randn(new[] { n }, dtype: ScalarType.Float64, generator: gen) * Math.Sqrt(1 - gp) + Math.Sqrt(gp) * y0Value;
        using var yt = prev * Math.Sqrt(a) + randn(new[] { n }, dtype: ScalarType.Float64, generator: gen) * Math.Sqrt(1 - a);

        double my = yt.mean().item<double>(), mp = prev.mean().item<double>();
        double slope = ((yt - my) * (prev - mp)).mean().item<double>() / (yt - my).square().mean().item<double>();
        double intercept = mp - slope * my;

        using var y0 = full(new long[] { 1, 1, 1, 1 }, y0Value, dtype: ScalarType.Float64);
        using var zero = zeros(new long[] { 1, 1, 1, 1 }, dtype: ScalarType.Float64);
        var (mean, _) = diffusion.QPosteriorMeanVariance(y0, zero, t);
        // Standard errors here are ~5e-4 (residual variance = posterior variance ~1.4e-3 over n samples).
        Assert.InRange(slope, Schedule.PosteriorMeanCoefYt[t - 1] - 0.003, Schedule.PosteriorMeanCoefYt[t - 1] + 0.003);
        Assert.InRange(intercept, mean.item<double>() - 0.003, mean.item<double>() + 0.003);
        mean.Dispose();
    }
}
