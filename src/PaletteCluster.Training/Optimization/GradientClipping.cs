using PaletteCluster.Diffusion;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Optimization;

/// <summary>
/// Global-norm gradient clipping that stays on the device: the scale factor is computed as a tensor and
/// applied unconditionally (min(1, max/norm)), so the step never waits for the host.
/// </summary>
public static class GradientClipping
{
    /// <returns>The total gradient norm before clipping, as a 0-d tensor (read it only when you log).</returns>
    public static Tensor ClipByGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0) return tensor(0f);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var k = new HeldScalars(); // no temporary Scalars (docs/libtorch.md, last section)
        var norms = stack(grads.Select(g => g.detach().to(ScalarType.Float32).norm()).ToArray());
        var total = norms.norm();
        // maxNorm / (total + 1e-6), clamped at 1, as TorchSharp's operators compute it: reciprocal, then times maxNorm.
        var scale = total.add(k.Of(1e-6), k.One).reciprocal().mul(k.Of(maxNorm)).clamp_max(k.Of(1.0));
        foreach (var g in grads) g.mul_(scale.to(g.dtype));
        return total.MoveToOuterDisposeScope();
    }
}
