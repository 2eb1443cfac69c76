using PaletteCluster.Diffusion;
using PaletteCluster.Recipes;

namespace PaletteCluster.Diffusion.Tests;

public class NoiseScheduleTests
{
    private static void Close(double expected, double actual, double tol = 1e-12) =>
        Assert.True(Math.Abs(expected - actual) <= tol * Math.Max(1.0, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void LinearHasExactEndpointsAndEvenSpacing()
    {
        var s = new NoiseSchedule(NoiseScheduleSpec.PaletteTrain);
        Assert.Equal(2000, s.Steps);
        Close(1e-6, s.Beta(1));
        Close(0.01, s.Beta(2000));
        // beta_t = start + (t - 1)(end - start)/(T - 1)
        Close(1e-6 + 1000 * (0.01 - 1e-6) / 1999, s.Beta(1001));
        Close(1 - s.Beta(1001), s.Alpha(1001));
    }

    [Fact]
    public void GammasAreCumulativeProductsOfAlphasWithGammaZeroOne()
    {
        var s = new NoiseSchedule(NoiseScheduleSpec.PaletteInference);
        double product = 1.0;
        for (int t = 1; t <= s.Steps; t++)
        {
            Close(product, s.GammaPrev(t));
            product *= 1 - s.Betas[t - 1];
            Close(product, s.Gamma(t));
            Close(product, s.Gammas[t - 1]);
        }
        Assert.Equal(1.0, s.GammaPrev(1));
        Close(1 - 1e-4, s.Gamma(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Gamma(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Gamma(s.Steps + 1));
    }

    [Fact]
    public void QuadraticIsSquareOfLinearInSqrtBeta()
    {
        var s = new NoiseSchedule(new NoiseScheduleSpec(ScheduleKind.Quadratic, 11, 1e-4, 0.04));
        Close(1e-4, s.Beta(1));
        Close(0.04, s.Beta(11));
        double mid = (Math.Sqrt(1e-4) + Math.Sqrt(0.04)) / 2;
        Close(mid * mid, s.Beta(6));
    }

    [Fact]
    public void CosineFollowsSquaredCosineGammaCurveAndIsClipped()
    {
        const int T = 1000;
        var s = new NoiseSchedule(NoiseScheduleSpec.Parse("cosine:1000"));
        double F(double x) => Math.Pow(Math.Cos((x + 0.008) / 1.008 * Math.PI / 2), 2);
        Close(1 - F(1.0 / T) / F(0), s.Beta(1));
        // Unclipped steps: gamma_t = f(t/T)/f(0).
        Close(F(500.0 / T) / F(0), s.Gamma(500), 1e-9);
        Assert.Equal(0.999, s.Beta(T));
        Assert.All(s.Betas, b => Assert.InRange(b, 0.0, 0.999));
        for (int t = 2; t <= T; t++)
            Assert.True(s.Beta(t) >= s.Beta(t - 1) - 1e-15, $"cosine betas should not decrease at t={t}");
    }

    [Theory]
    [InlineData(ScheduleKind.Warmup10, 100)]
    [InlineData(ScheduleKind.Warmup50, 500)]
    public void WarmupRisesLinearlyThenStaysAtEnd(ScheduleKind kind, int warmup)
    {
        var s = new NoiseSchedule(new NoiseScheduleSpec(kind, 1000, 1e-4, 0.02));
        Close(1e-4, s.Beta(1));
        Close(0.02, s.Beta(warmup));
        Close(1e-4 + 10 * (0.02 - 1e-4) / (warmup - 1), s.Beta(11));
        for (int t = warmup + 1; t <= 1000; t++)
            Assert.Equal(0.02, s.Beta(t));
        Assert.True(s.Beta(warmup - 1) < 0.02);
    }

    [Fact]
    public void ConstantIsEndEverywhere()
    {
        var s = new NoiseSchedule("constant:50:0.02");
        Assert.All(s.Betas, b => Assert.Equal(0.02, b));
        Close(Math.Pow(0.98, 50), s.Gamma(50));
    }

    [Theory]
    [InlineData("linear:2000:1e-6:0.01")]
    [InlineData("cosine:1000")]
    [InlineData("quadratic:10:0.0001:0.02")]
    [InlineData("warmup10:1000:1e-4:0.02")]
    [InlineData("Warmup50:7:0.1:0.3")]
    [InlineData("constant:3:0.2:0.2")]
    public void ParseAndToStringRoundTrip(string text)
    {
        var spec = NoiseScheduleSpec.Parse(text);
        Assert.Equal(spec, NoiseScheduleSpec.Parse(spec.ToString()));
        Assert.Equal(spec.ToString(), NoiseScheduleSpec.Parse(spec.ToString()).ToString());
    }

    [Fact]
    public void ParseReadsFieldsAndPresetsMatchRecipe()
    {
        Assert.Equal(new NoiseScheduleSpec(ScheduleKind.Linear, 2000, 1e-6, 0.01), NoiseScheduleSpec.Parse("linear:2000:1e-6:0.01"));
        Assert.Equal(NoiseScheduleSpec.PaletteInference, NoiseScheduleSpec.Parse("linear:1000:1e-4:0.09"));
        Assert.Equal("cosine:1000", NoiseScheduleSpec.Parse(" Cosine:1000 ").ToString());
    }

    [Theory]
    [InlineData("sigmoid:1000:1e-4:0.02", "kind")]
    [InlineData("linear:abc:1e-4:0.02", "steps")]
    [InlineData("linear:0:1e-4:0.02", "steps")]
    [InlineData("linear:1000:x:0.02", "start")]
    [InlineData("linear:1000:1e-4:two", "end")]
    [InlineData("linear:1000:0:0.02", "start")]
    [InlineData("linear:1000:1e-4:1.5", "end")]
    [InlineData("linear:1000", "expected the form")]
    [InlineData("cosine:1000:1e-4:0.02", "expected the form")]
    [InlineData("", "kind")]
    public void ParseRejectsBadInputNamingTheField(string text, string field)
    {
        var e = Assert.Throws<ArgumentException>(() => NoiseScheduleSpec.Parse(text));
        Assert.Contains(field, e.Message);
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void ConstructingFromAnInvalidSpecThrows()
    {
        Assert.Throws<ArgumentException>(() => new NoiseSchedule(new NoiseScheduleSpec(ScheduleKind.Linear, 10, 0.5, 1.0)));
    }
}
