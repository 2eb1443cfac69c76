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

    /// <summary>y = mask * y + (1 - mask) * known, the blend used in training; exact where mask = 0.</summary>
    public static Tensor Paste(Tensor y, Tensor mask, Tensor known) => mask * y + (1.0 - mask) * known;
}
