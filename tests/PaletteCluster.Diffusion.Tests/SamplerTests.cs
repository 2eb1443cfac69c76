using PaletteCluster.Diffusion;
using TorchSharp;
using static TorchSharp.torch;
using static PaletteCluster.Diffusion.Tests.TestTensors;
using PaletteCluster.Recipes;

namespace PaletteCluster.Diffusion.Tests;

public class SamplerTests
{
    private static readonly NoiseSchedule Short = new("linear:60:1e-4:0.2");

    /// <summary>A predictor that knows y0: eps = (y_t - sqrt(g) y0) / sqrt(1 - g).</summary>
    private static NoisePredictor Oracle(Tensor y0) => (_, y, gamma) =>
    {
        using var scope = NewDisposeScope();
        var g = gamma.to_type(ScalarType.Float64).reshape(-1, 1, 1, 1);
        var eps = (y.to_type(ScalarType.Float64) - g.sqrt() * y0.to_type(ScalarType.Float64)) / (1 - g).sqrt();
        return eps.to_type(y.dtype).MoveToOuterDisposeScope();
    };

    /// <summary>An arbitrary smooth predictor that uses all three inputs.</summary>
    private static Tensor Toy(Tensor x, Tensor y, Tensor gamma) =>
        y * 0.5 + x[TensorIndex.Colon, TensorIndex.Slice(0, 3)] * 0.1 + gamma.reshape(-1, 1, 1, 1) * 0.01;

    public static TheoryData<string> Samplers => new() { "ddpm", "ddim", "ddim-eta1" };

    private static ISampler Make(string name) => name switch
    {
        "ddpm" => new DdpmSampler(Short),
        "ddim" => new DdimSampler(Short, 20),
        "ddim-eta1" => new DdimSampler(Short, 20, eta: 1.0),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Samplers))]
    public void SameSeedGivesBitwiseEqualSamplesAndOtherSeedsDiffer(string name)
    {
        var sampler = Make(name);
        using var x = Images(2, 6, 8, 8, 1);
        using var a = sampler.Sample(Toy, x, null, null, Gen(42));
        using var b = sampler.Sample(Toy, x, null, null, Gen(42));
        using var c = sampler.Sample(Toy, x, null, null, Gen(43));
        Assert.Equal(new long[] { 2, 3, 8, 8 }, a.shape);
        Assert.True(Same(a, b));
        Assert.False(Same(a, c));
    }

    [Fact]
    public void DdpmWithOracleReconstructsY0()
    {
        using var x = Images(2, 3, 8, 8, 1);
        using var y0 = Images(2, 3, 8, 8, 2);
        using var y = new DdpmSampler(Short).Sample(Oracle(y0), x, null, null, Gen(5));
        Assert.True(MaxAbs(y, y0) < 1e-3, $"max error {MaxAbs(y, y0)}");
    }

    [Fact]
    public void ClippedDdpmEqualsEqn8WhenNothingIsClipped()
    {
        // With the oracle the implied y0 is y0 itself (inside [-1, 1]): the clip never binds, so both forms agree.
        using var x = Images(2, 3, 8, 8, 1);
        using var y0 = Images(2, 3, 8, 8, 2).clamp(-0.9, 0.9);
        using var plain = new DdpmSampler(Short).Sample(Oracle(y0), x, null, null, Gen(5));
        using var clipped = new DdpmSampler(Short, clipDenoised: true).Sample(Oracle(y0), x, null, null, Gen(5));
        Assert.True(MaxAbs(plain, clipped) < 1e-4, $"max difference {MaxAbs(plain, clipped)}");
    }

    [Fact]
    public void ClippedDdpmStaysInRangeWithAPoorPredictor()
    {
        NoisePredictor poor = (_, y, _) => -y; // pushes the implied y0 far out of range at every step
        using var x = Images(2, 3, 8, 8, 1);
        var schedule = new NoiseSchedule(NoiseScheduleSpec.PaletteInference);
        using var plain = new DdpmSampler(schedule).Sample(poor, x, null, null, Gen(5));
        using var clipped = new DdpmSampler(schedule, clipDenoised: true).Sample(poor, x, null, null, Gen(5));
        Assert.True(clipped.abs().max().item<float>() <= 1.0001f, $"clipped sample reaches {clipped.abs().max().item<float>()}");
        Assert.True(!plain.isfinite().all().item<bool>() || plain.abs().max().item<float>() > 10, "Eqn 8 without the clip should drift");
    }

    [Fact]
    public void DdpmWithPaletteInferenceScheduleAndOracleReconstructsY0()
    {
        using var x = Images(1, 3, 4, 4, 1);
        using var y0 = Images(1, 3, 4, 4, 2);
        using var y = new DdpmSampler(new NoiseSchedule(NoiseScheduleSpec.PaletteInference)).Sample(Oracle(y0), x, null, null, Gen(5));
        Assert.True(MaxAbs(y, y0) < 1e-3, $"max error {MaxAbs(y, y0)}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void DdimWithOracleReconstructsY0(double eta)
    {
        using var x = Images(2, 3, 8, 8, 1);
        using var y0 = Images(2, 3, 8, 8, 2);
        using var y = new DdimSampler(new NoiseSchedule(NoiseScheduleSpec.PaletteInference), 25, eta).Sample(Oracle(y0), x, null, null, Gen(5));
        Assert.True(MaxAbs(y, y0) < 1e-3, $"max error {MaxAbs(y, y0)}");
    }

    [Fact]
    public void DdpmWithAWrongPredictorDoesNotReconstruct()
    {
        // Guards the oracle tests: they must depend on the predictor.
        using var x = Images(2, 3, 8, 8, 1);
        using var y0 = Images(2, 3, 8, 8, 2);
        using var y = new DdpmSampler(Short).Sample((_, yt, _) => zeros_like(yt), x, null, null, Gen(5));
        Assert.True(MaxAbs(y, y0) > 0.1);
    }

    [Theory]
    [MemberData(nameof(Samplers))]
    public void MaskedSamplingKeepsKnownPixelsExactly(string name)
    {
        var sampler = Make(name);
        using var x = Images(2, 3, 8, 8, 1);
        using var known = Images(2, 3, 8, 8, 2);
        using var mask = zeros(2, 1, 8, 8);
        mask[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(2, 6), TensorIndex.Slice(1, 7)] = tensor(1f);
        using var y = sampler.Sample(Toy, x, mask, known, Gen(3));

        using var keep = (mask < 0.5).expand_as(known);
        Assert.True(Same(y.masked_select(keep), known.masked_select(keep)));
        Assert.True(MaxAbs(y.masked_select(keep.logical_not()), known.masked_select(keep.logical_not())) > 1e-2);
    }

    [Fact]
    public void MaskedSamplingWithOracleFillsTheHole()
    {
        using var x = Images(1, 3, 8, 8, 1);
        using var y0 = Images(1, 3, 8, 8, 2);
        using var mask = zeros(1, 1, 8, 8);
        mask[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(0, 4)] = tensor(1f);
        using var y = new DdpmSampler(Short).Sample(Oracle(y0), x, mask, y0, Gen(3));
        Assert.True(MaxAbs(y, y0) < 1e-3);
    }

    [Fact]
    public void NetworkSeesEachStepsGammaAndProgressCountsSteps()
    {
        var sampler = new DdimSampler(Short, 7);
        Assert.Equal(new[] { 60, 50, 40, 31, 21, 11, 1 }, sampler.Timesteps);
        var seen = new List<float>();
        var reports = new List<int>();
        using var x = Images(1, 3, 4, 4, 1);
        sampler.Sample((_, y, g) => { seen.Add(g[0].item<float>()); return zeros_like(y); }, x, null, null, Gen(1), new SyncProgress(reports)).Dispose();
        Assert.Equal(sampler.Timesteps.Select(t => (float)Short.Gamma(t)), seen);
        Assert.Equal(Enumerable.Range(1, 7), reports);
    }

    [Fact]
    public void MaskWithoutKnownIsRejected()
    {
        using var x = Images(1, 3, 4, 4, 1);
        using var mask = ones(1, 1, 4, 4);
        Assert.Throws<ArgumentException>(() => new DdpmSampler(Short).Sample(Toy, x, mask, null, Gen(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DdimSampler(Short, 61));
    }

    /// <summary>IProgress that records synchronously (Progress&lt;T&gt; posts to a thread pool).</summary>
    private sealed class SyncProgress(List<int> sink) : IProgress<int>
    {
        public void Report(int value) => sink.Add(value);
    }
}
