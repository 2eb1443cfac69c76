using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Runtime;

/// <summary>
/// How many batches a training run makes ahead when its options do not say. On CUDA the step's kernels leave the
/// CPU idle, so batch making can overlap them (2 ahead). On CPU the step already keeps every core busy and a
/// measurement on 2 cores showed no gain (docs/libtorch.md), so batches are made in line (0).
/// A run's <see cref="TrainingRunOptions.PrefetchDepth"/> overrides both (the CLI sets it from PALETTE_PREFETCH).
/// </summary>
public static class PrefetchDepthDefault
{
    public const int Cuda = 2;
    public const int Cpu = 0;

    public static int For(Device device) => For(device.type);

    public static int For(DeviceType device) => device == DeviceType.CUDA ? Cuda : Cpu;
}
