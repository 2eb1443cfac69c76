using PaletteCluster.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaletteCluster.Networks.Tests;

public class SeededInitializationTests
{
    [Fact]
    public void TheSameSeedGivesTheSameWeightsWhateverTheSharedGeneratorDid()
    {
        using var a = new PaletteUNet(UNetConfig.Tiny);
        rand(1000).Dispose(); // the process-wide generator moves on between the builds, as another model would make it
        using var b = new PaletteUNet(UNetConfig.Tiny);
        using var c = new PaletteUNet(UNetConfig.Tiny);
        using (var g = new Generator(42)) SeededInitialization.Apply(a, g);
        using (var g = new Generator(42)) SeededInitialization.Apply(b, g);
        using (var g = new Generator(43)) SeededInitialization.Apply(c, g);

        var pa = a.named_parameters().ToList();
        var pb = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var pc = c.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(pa.Select(p => p.name), pb.Keys);
        foreach (var (name, p) in pa)
        {
            Assert.True(Same(p, pb[name]), $"{name} differs between two networks initialised with seed 42");
            bool constant = name.EndsWith("norm.weight") || name.EndsWith("norm.bias");
            Assert.True(constant == Same(p, pc[name]), constant ? $"{name} should be constant" : $"{name} is the same for seeds 42 and 43");
        }
    }

    [Fact]
    public void DrawsConvolutionsAndLinearsFromTheConstructorsDistribution()
    {
        // kaiming_uniform_(a = sqrt 5) in the constructors is U(-1/sqrt(fan_in), 1/sqrt(fan_in)): both the freshly
        // constructed layer (TorchSharp's own draw) and the re-drawn one must fit that.
        using var conv = nn.Conv2d(64, 128, 3);
        using var linear = nn.Linear(256, 1024);
        foreach (var (layer, weight, bias, fanIn) in new (nn.Module, Tensor, Tensor, int)[]
                 { (conv, conv.weight!, conv.bias!, 64 * 9), (linear, linear.weight!, linear.bias!, 256) })
        {
            double bound = 1 / Math.Sqrt(fanIn);
            AssertUniform(weight, bound, "constructor's weight");
            using var constructed = weight.detach().clone();
            using (var g = new Generator(7)) SeededInitialization.Apply(layer, g);
            Assert.False(Same(weight, constructed), "the weight was not re-drawn");
            AssertUniform(weight, bound, "re-drawn weight");
            Assert.True(bias.abs().max().item<float>() <= bound, "bias beyond the bound");
            Assert.True(bias.abs().max().item<float>() > 0.8 * bound, "bias far inside the bound");
        }
    }

    [Fact]
    public void SetsNormsToOneAndZero()
    {
        using var net = new PaletteUNet(UNetConfig.Tiny);
        using (no_grad())
            foreach (var norm in net.modules().OfType<GroupNorm32>()) { norm.Weight.fill_(3); norm.Bias.fill_(3); }
        using (var g = new Generator(1)) SeededInitialization.Apply(net, g);
        var norms = net.modules().OfType<GroupNorm32>().ToList();
        Assert.NotEmpty(norms);
        Assert.All(norms, n => Assert.True(n.Weight.eq(1).all().item<bool>() && n.Bias.eq(0).all().item<bool>()));
    }

    [Fact]
    public void RefusesParametersOfAnUnknownModule()
    {
        using var module = new LearnedScale();
        using var g = new Generator(1);
        var e = Assert.Throws<NotSupportedException>(() => SeededInitialization.Apply(module, g));
        Assert.Contains("factor", e.Message);
    }

    private static void AssertUniform(Tensor t, double bound, string what)
    {
        using var _ = NewDisposeScope();
        var v = t.detach().to(ScalarType.Float64);
        double max = v.abs().max().item<double>(), mean = v.mean().item<double>(), std = v.std().item<double>();
        Assert.True(max <= bound, $"{what}: |w| up to {max}, bound {bound}");
        Assert.True(max > 0.99 * bound, $"{what}: |w| only up to {max} of {bound}");
        Assert.True(Math.Abs(mean) < 0.02 * bound, $"{what}: mean {mean}");
        double uniformStd = bound / Math.Sqrt(3);
        Assert.True(Math.Abs(std / uniformStd - 1) < 0.02, $"{what}: std {std}, a uniform distribution has {uniformStd}");
    }

    private sealed class LearnedScale : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter factor = new(ones(1));

        public LearnedScale() : base(nameof(LearnedScale)) => RegisterComponents();

        public override Tensor forward(Tensor input) => input * factor;
    }

    /// <summary>Same shape and equal values everywhere.</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
