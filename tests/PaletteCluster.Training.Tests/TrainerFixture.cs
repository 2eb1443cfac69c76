using PaletteCluster.Data;
using PaletteCluster.Testing;
using PaletteCluster.Training.Runtime;
using static TorchSharp.torch;
using PaletteCluster.Recipes;

namespace PaletteCluster.Training.Tests;

/// <summary>Shared helpers: the process-wide CPU set-up the CLI does, and a fixed batch of real photo pairs.</summary>
public static class TrainerFixture
{
    static TrainerFixture() => TorchRuntime.Initialize("cpu");

    public static Device Cpu => CPU; // touching this runs the static set-up

    public static TrainConfig Tiny(long seed = 0, int batch = 4) => new()
    {
        Preset = UNetPreset.Tiny, ImageSize = 32, BatchSize = batch, Seed = seed, LearningRate = 1e-3, WarmupSteps = 5, EmaDecay = 0.9,
    };

    /// <summary>A batch of real (grayscale condition, colour target) pairs at 32x32 from opencv-doc photos.</summary>
    public static PairBatch RealBatch(int count, ulong seed = 7)
    {
        var dir = RealPhotos.CopyTo(RealPhotos.NewTempDir("pc-train"), count);
        var loader = new PairBatchLoader(ImageFolder.Scan(dir), new ColorizationTask(), count, 32, seed);
        return loader.Next();
    }

    /// <summary>Same dtype, shape and bits (fp32 state only; NaN payloads and -0 count).</summary>
    public static bool BitwiseEqual(Tensor a, Tensor b) =>
        a.dtype == ScalarType.Float32 && b.dtype == ScalarType.Float32 && a.shape.SequenceEqual(b.shape)
        && a.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).SequenceEqual(b.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits));
}
