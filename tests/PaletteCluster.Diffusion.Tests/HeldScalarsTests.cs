using PaletteCluster.Diffusion;
using TorchSharp;
using static TorchSharp.torch;
using static PaletteCluster.Diffusion.Tests.TestTensors;

namespace PaletteCluster.Diffusion.Tests;

public class HeldScalarsTests
{
    [Fact]
    public void HeldScalarsGiveTheSameBitsAsTorchSharpsImplicitConversions()
    {
        using var scope = NewDisposeScope();
        var a = randn(new long[] { 4, 5 }, generator: Gen(1));
        var b = randn(new long[] { 4, 5 }, generator: Gen(2));
        var g = rand(new long[] { 7 }, dtype: ScalarType.Float64, generator: Gen(3));
        var n = randint(1, 100, new long[] { 6 }, generator: Gen(4));
        using var k = new HeldScalars();

        AssertSameBits(a + b, a.add(b, k.One));
        AssertSameBits(a * 0.3, a.mul(k.Of(0.3)));
        AssertSameBits(a / 0.7, a.div(k.Of(0.7)));
        AssertSameBits(a * 0.5f, a.mul(k.Of(0.5f)));
        AssertSameBits(1.0 - g, GaussianDiffusion.OneMinus(g, k));
        AssertSameBits(a.square(), a.pow(k.Of(2)));
        AssertSameBits(a.clamp(-0.5, 0.5), a.clamp(k.Of(-0.5), k.Of(0.5)));
        Assert.Equal((n - 1).data<long>().ToArray(), n.sub(k.One).data<long>().ToArray());
    }

    [Fact]
    public void OneIsTheIntegerAlphaAndIsMadeOnce()
    {
        using var k = new HeldScalars();
        Assert.Same(k.One, k.One);
        Assert.Equal(ScalarType.Int64, k.One.Type); // libtorch keeps every integer Scalar as int64
        Assert.Equal(ScalarType.Float64, k.Of(1.0).Type);
    }

    [Fact]
    public void DisposingFreesEveryScalarAndRefusesNewOnes()
    {
        var k = new HeldScalars();
        var held = new[] { k.One, k.Of(0.25), k.Of(3) };
        k.Dispose();
        // A freed Scalar has no handle left: using it throws rather than reading freed memory.
        Assert.All(held, s => Assert.Throws<InvalidOperationException>(() => s.Type));
        Assert.Throws<ObjectDisposedException>(() => k.Of(1.0));
    }

    private static void AssertSameBits(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        var e = expected.to(ScalarType.Float64).data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits);
        var a = actual.to(ScalarType.Float64).data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits);
        Assert.Equal(e, a);
    }
}
