using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Runtime;

/// <summary>
/// How many batches a training run makes ahead when its options do not say. On CUDA the step's kernels leave the
/// CPU idle, so batch making can overlap them (2 ahead). On CPU the step already keeps every core busy and a
/// measurement on 2 cores showed no gain (docs/libtorch.md), so batches are made in line (0).
/// PALETTE_PREFETCH=&lt;depth&gt; overrides both.
/// </summary>
public static class PrefetchDepthDefault
{
    public const int Cuda = 2;
    public const int Cpu = 0;

    public static int For(Device device) => For(device.type, Environment.GetEnvironmentVariable("PALETTE_PREFETCH"));

    public static int For(DeviceType device, string? environmentValue) =>
        int.TryParse(environmentValue, out var depth) && depth >= 0 ? depth
        : device == DeviceType.CUDA ? Cuda : Cpu;
}
