using PaletteCluster.Diffusion;
using TorchSharp;
using static TorchSharp.torch;
using static PaletteCluster.Diffusion.Tests.TestTensors;
using PaletteCluster.Recipes;

namespace PaletteCluster.Diffusion.Tests;

public class TrainingLossTests
{
    private static readonly GaussianDiffusion Diffusion = new(new NoiseSchedule(NoiseScheduleSpec.PaletteTrain));

    /// <summary>The eps that TrainingLoss draws: gamma first, then the noise, from the same generator.</summary>
    private static Tensor ExpectedNoise(Tensor y0, long seed)
    {
        var gen = Gen(seed);
        var (t, gamma) = Diffusion.SampleTimestepsAndNoiseLevels(y0.shape[0], gen, y0.device);
        t.Dispose();
        gamma.Dispose();
        return randn(y0.shape, dtype: y0.dtype, device: y0.device, generator: gen);
    }

    [Theory]
    [InlineData(LossKind.L1)]
    [InlineData(LossKind.L2)]
    public void UnmaskedLossIsMeanOfPowerOfError(LossKind kind)
    {
        using var x = Images(2, 3, 8, 8, 1);
        using var y0 = Images(2, 3, 8, 8, 2);
        using var eps = ExpectedNoise(y0, 7);
        using var loss = Diffusion.TrainingLoss((_, y, _) => zeros_like(y) + 0.3, x, y0, null, kind, Gen(7));

        var e = eps.data<float>().ToArray();
        double expected = e.Select(v => kind == LossKind.L1 ? Math.Abs(0.3 - v) : (0.3 - v) * (0.3 - v)).Average();
        Assert.Equal(0, loss.dim());
        Assert.Equal(expected, loss.item<float>(), 4);
    }

    [Fact]
    public void NetworkSeesQSampleAndFloatGamma()
    {
        using var x = Images(3, 3, 4, 4, 1);
        using var y0 = Images(3, 3, 4, 4, 2);
        using var eps = ExpectedNoise(y0, 9);
        Tensor? seenY = null, seenGamma = null;
        Diffusion.TrainingLoss((_, y, g) => { seenY = y.clone().DetachFromDisposeScope(); seenGamma = g.clone().DetachFromDisposeScope(); return zeros_like(y); },
            x, y0, null, LossKind.L2, Gen(9)).Dispose();

        Assert.Equal(ScalarType.Float32, seenGamma!.dtype);
        using var expected = Diffusion.QSample(y0, seenGamma, eps);
        Assert.True(MaxAbs(seenY!, expected) < 1e-4);
    }

    [Theory]
    [InlineData(LossKind.L1)]
    [InlineData(LossKind.L2)]
    public void MaskedLossIsMeanOverMaskedPixelsOnly(LossKind kind)
    {
        using var x = Images(2, 3, 8, 8, 1);
        using var y0 = Images(2, 3, 8, 8, 2);
        using var mask = zeros(2, 1, 8, 8);
        mask[0, 0, TensorIndex.Slice(2, 6), TensorIndex.Slice(2, 6)] = tensor(1f);
        mask[1, 0, TensorIndex.Slice(0, 8), TensorIndex.Slice(4, 8)] = tensor(1f);
        using var eps = ExpectedNoise(y0, 13);

        // Same prediction inside the mask; hugely wrong outside it.
        NoisePredictor good = (_, y, _) => zeros_like(y) + 0.3;
        NoisePredictor badOutside = (_, y, _) => where(mask > 0.5, zeros_like(y) + 0.3, zeros_like(y) + 1e6);
        using var lossGood = Diffusion.TrainingLoss(good, x, y0, mask, kind, Gen(13));
        using var lossBad = Diffusion.TrainingLoss(badOutside, x, y0, mask, kind, Gen(13));
        Assert.Equal(lossGood.item<float>(), lossBad.item<float>());

        // Hand computation: sum over masked elements / (masked pixels * channels).
        using var diff = (eps - 0.3).abs();
        using var power = kind == LossKind.L1 ? diff : diff.square();
        double expected = (power * mask).sum().item<float>() / (mask.sum().item<float>() * 3);
        Assert.Equal(expected, lossGood.item<float>(), 4);

        // And not the mean over the whole image.
        Assert.NotEqual(power.mean().item<float>(), lossGood.item<float>(), 3);
    }

    [Fact]
    public void MaskedInputIsNoisyOnlyInsideTheMask()
    {
        using var x = Images(2, 3, 8, 8, 1);
        using var y0 = Images(2, 3, 8, 8, 2);
        using var mask = zeros(2, 1, 8, 8);
        mask[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(0, 4)] = tensor(1f);
        Tensor? seen = null;
        Diffusion.TrainingLoss((_, y, _) => { seen = y.clone().DetachFromDisposeScope(); return zeros_like(y); }, x, y0, mask, LossKind.L1, Gen(4)).Dispose();

        using var keep = (mask < 0.5).expand_as(y0);
        Assert.True(Same(seen!.masked_select(keep), y0.masked_select(keep)));
        Assert.True(MaxAbs(seen.masked_select(keep.logical_not()), y0.masked_select(keep.logical_not())) > 0.1);
    }

    [Fact]
    public void LossCarriesGradientToTheNetwork()
    {
        using var w = tensor(0.5f).requires_grad_();
        using var x = Images(2, 3, 4, 4, 1);
        using var y0 = Images(2, 3, 4, 4, 2);
        using var loss = Diffusion.TrainingLoss((_, y, _) => y * w, x, y0, null, LossKind.L2, Gen(1));
        loss.backward();
        Assert.NotNull(w.grad);
        Assert.NotEqual(0f, w.grad!.item<float>());
    }

    [Fact]
    public void MismatchedMaskIsRejected()
    {
        using var y0 = Images(2, 3, 8, 8, 2);
        using var mask = ones(2, 1, 4, 4);
        Assert.Throws<ArgumentException>(() => Diffusion.TrainingLoss((_, y, _) => y, y0, y0, mask, LossKind.L1, Gen(1)));
    }
}
