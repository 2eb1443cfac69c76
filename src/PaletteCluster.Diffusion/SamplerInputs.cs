using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Diffusion;

/// <summary>Argument checks and mask handling shared by the samplers.</summary>
internal static class SamplerInputs
{
    /// <summary>(B, channels, H, W) for a condition (B, C, H, W).</summary>
    public static long[] TargetShape(Tensor condition, int channels)
    {
        if (condition.dim() < 2)
            throw new ArgumentException($"Condition must be (B, C, ...), got [{string.Join(", ", condition.shape)}].", nameof(condition));
        var shape = condition.shape.ToArray();
        shape[1] = channels;
        return shape;
    }

    /// <summary>Checks mask and known against the target shape; both or neither must be given.</summary>
    public static void Check(long[] targetShape, Tensor? mask, Tensor? known)
    {
        if (mask is null && known is null)
            return;
        if (mask is null || known is null)
            throw new ArgumentException("Masked sampling needs both a mask and the known target; got only one.", mask is null ? nameof(mask) : nameof(known));
        if (!known.shape.SequenceEqual(targetShape))
            throw new ArgumentException(
                $"Known target shape [{string.Join(", ", known.shape)}] differs from the sample shape [{string.Join(", ", targetShape)}].", nameof(known));
        Broadcast.CheckMask(mask, known, nameof(mask));
    }

    /// <summary>The sampling state at y_T: target shape, masks cast like the condition, and y_T itself.</summary>
    public sealed record Start(long[] Shape, Tensor Y, Tensor? Mask, Tensor? Known);

    /// <summary>
    /// Checks a sampler's arguments and draws y_T ~ N(0, I) from <paramref name="gen"/>; with a mask, the known
    /// pixels are pasted in at once (what training showed the network). Call inside the sampler's dispose scope.
    /// </summary>
    public static Start Begin(NoisePredictor model, Tensor condition, Tensor? mask, Tensor? known, torch.Generator gen, int channels)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(gen);
        var shape = TargetShape(condition, channels);
        Check(shape, mask, known);
        var (dtype, device) = (condition.dtype, condition.device);
        var knownT = known?.to(dtype, device);
        var maskT = mask?.to(dtype, device);
        var y = randn(shape, dtype: dtype, device: device, generator: gen);
        return new Start(shape, maskT is null ? y : Paste(y, maskT, knownT!), maskT, knownT);
    }

    /// <summary>y = mask * y + (1 - mask) * known, the blend used in training; exact where mask = 0.</summary>
    public static Tensor Paste(Tensor y, Tensor mask, Tensor known)
    {
        using var k = new HeldScalars();
        return (mask * y).add(GaussianDiffusion.OneMinus(mask, k) * known, k.One);
    }
}
