using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Diffusion.Tests;

/// <summary>Small helpers for comparing tensors in tests.</summary>
internal static class TestTensors
{
    public static double MaxAbs(Tensor a, Tensor b) =>
        (a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).abs().max().item<double>();

    /// <summary>Bitwise-equal values and equal shapes.</summary>
    public static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    public static torch.Generator Gen(long seed) => new torch.Generator((ulong)seed, torch.CPU);

    /// <summary>Images in [-1, 1], shaped (B, C, H, W), from a fixed seed.</summary>
    public static Tensor Images(long b, long c, long h, long w, long seed) =>
        rand(new[] { b, c, h, w }, generator: Gen(seed)) * 2 - 1;
}
