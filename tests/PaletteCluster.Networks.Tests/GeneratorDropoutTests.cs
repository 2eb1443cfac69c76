using PaletteCluster.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Networks.Tests;

public class GeneratorDropoutTests
{
    [Fact]
    public void TheMaskFollowsTheAssignedGeneratorOnly()
    {
        using var _ = NewDisposeScope();
        var x = ones(64, 64);
        Tensor Drop(ulong seed)
        {
            using var generator = new Generator(seed);
            var dropout = new GeneratorDropout(0.3) { Generator = generator };
            dropout.train();
            var y = dropout.forward(x);
            rand(1000).Dispose(); // the process-wide generator moves on, as another model would make it
            return y;
        }

        Assert.True(Same(Drop(5), Drop(5)), "the same seed gave another mask");
        Assert.False(Same(Drop(5), Drop(6)), "another seed gave the same mask");
    }

    [Fact]
    public void KeepsEachElementWithProbabilityOneMinusPAndScalesLikeDropout()
    {
        using var _ = NewDisposeScope();
        using var generator = new Generator(11);
        var dropout = new GeneratorDropout(0.3) { Generator = generator };
        dropout.train();
        var x = ones(200_000);
        var y = dropout.forward(x);

        var kept = y.ne(0);
        double keptFraction = kept.to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(keptFraction, 0.69, 0.71); // 0.7 +- ~10 standard deviations of the mean
        var reference = nn.functional.dropout(x, 0.3, training: true); // libtorch's own scale for kept elements
        var scale = reference.max().item<float>();
        Assert.True(y.masked_select(kept).eq(scale).all().item<bool>(), "kept elements are not scaled by 1 / (1 - p) as dropout does");
    }

    [Fact]
    public void PassesTheInputThroughInEvalModeAndAtZero()
    {
        using var _ = NewDisposeScope();
        var x = randn(8, 8);
        var off = new GeneratorDropout(0.5);
        off.eval();
        Assert.True(Same(off.forward(x), x));
        var zero = new GeneratorDropout(0.0);
        zero.train();
        Assert.True(Same(zero.forward(x), x));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeneratorDropout(1.0));
    }

    [Fact]
    public void AssignGeneratorReachesEveryDropoutOfTheNetwork()
    {
        using var net = new PaletteUNet(UNetConfig.Tiny with { Dropout = 0.1 });
        using var generator = new Generator(3);
        GeneratorDropout.AssignGenerator(net, generator);
        var dropouts = net.modules().OfType<GeneratorDropout>().ToList();
        Assert.NotEmpty(dropouts);
        Assert.All(dropouts, d => Assert.Same(generator, d.Generator));
    }

    /// <summary>Same shape and equal values everywhere.</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
