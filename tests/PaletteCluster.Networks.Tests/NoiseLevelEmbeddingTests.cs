using PaletteCluster.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Networks.Tests;

public class NoiseLevelEmbeddingTests
{
    private static double RelativeDifference(double a, double b, int dim, double scale)
    {
        using var _ = NewDisposeScope();
        var e = NoiseLevelEmbedding.Sinusoidal(tensor(new[] { (float)a, (float)b }), dim, scale);
        return (e[0] - e[1]).norm().item<float>() / e[0].norm().item<float>();
    }

    // Threshold: scaled differences are ~0.8 (0.50 vs 0.51) and ~0.26 (0.001 vs 0.002) for dim 64;
    // unscaled ones are ~3e-3 and ~3e-4.
    private const double Threshold = 0.1;

    [Theory]
    [InlineData(0.50, 0.51, 64)]
    [InlineData(0.001, 0.002, 64)]
    [InlineData(0.50, 0.51, 256)]
    [InlineData(0.001, 0.002, 256)]
    [InlineData(0.98, 0.99, 32)]
    public void ScaledEmbedding_SeparatesNearbyNoiseLevels_UnscaledDoesNot(double a, double b, int dim)
    {
        double scaled = RelativeDifference(a, b, dim, new UNetConfig().NoiseLevelScale);
        double unscaled = RelativeDifference(a, b, dim, 1.0);
        Assert.True(scaled > Threshold, $"scaled rel. diff {scaled} <= {Threshold}");
        Assert.True(unscaled < Threshold, $"unscaled rel. diff {unscaled} >= {Threshold} (the test would not discriminate)");
    }

    [Fact]
    public void Sinusoidal_MatchesReferenceFormula()
    {
        using var _ = NewDisposeScope();
        const int dim = 8;
        var e = NoiseLevelEmbedding.Sinusoidal(tensor(new[] { 0.3f }), dim, 1000.0);
        for (int i = 0; i < dim / 2; i++)
        {
            double f = Math.Exp(-Math.Log(10000.0) * i / (dim / 2));
            Assert.Equal(Math.Cos(300.0 * f), e[0, i].item<float>(), 3);
            Assert.Equal(Math.Sin(300.0 * f), e[0, i + dim / 2].item<float>(), 3);
        }
    }

    [Fact]
    public void Module_MapsBatchToEmbeddingWidth()
    {
        using var _ = NewDisposeScope();
        using var m = new NoiseLevelEmbedding(32, 128, 1000.0);
        var e = m.forward(rand(5));
        Assert.Equal([5L, 128L], e.shape);
        Assert.Equal(["linear_in.weight", "linear_in.bias", "linear_out.weight", "linear_out.bias"],
            m.named_parameters().Select(p => p.name));
        // (B,1) gammas are accepted as well.
        Assert.Equal([3L, 128L], m.forward(rand(3, 1)).shape);
    }
}
