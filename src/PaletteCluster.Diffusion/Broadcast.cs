using static TorchSharp.torch;

namespace PaletteCluster.Diffusion;

/// <summary>Shape helpers shared by the diffusion and the samplers.</summary>
internal static class Broadcast
{
    /// <summary>Views a per-item vector (B) as (B, 1, ..., 1) so it scales each item of a batch shaped like <paramref name="like"/>.</summary>
    public static Tensor PerItem(Tensor values, Tensor like)
    {
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = values.shape[0];
        return values.reshape(shape);
    }

    /// <summary>Checks that a mask (B, 1 or C, H, W) lines up with a batch of targets.</summary>
    public static void CheckMask(Tensor mask, Tensor target, string paramName)
    {
        bool ok = mask.dim() == target.dim() && mask.shape[0] == target.shape[0]
            && (mask.shape[1] == 1 || mask.shape[1] == target.shape[1]);
        for (int d = 2; ok && d < target.dim(); d++)
            ok = mask.shape[d] == target.shape[d];
        if (!ok)
            throw new ArgumentException(
                $"Mask shape [{string.Join(", ", mask.shape)}] does not match target shape [{string.Join(", ", target.shape)}] (expected (B, 1 or C, H, W)).",
                paramName);
    }
}
