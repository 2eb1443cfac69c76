using System.Diagnostics;
using static TorchSharp.torch;
using PaletteCluster.Recipes;

namespace PaletteCluster.Training.Benchmarks;

public sealed record TrainStepBenchmarkResult(
    string Preset, int Batch, int Resolution, string Device, string Precision, long Parameters,
    double MsPerStep, double ImagesPerSecond, double PeakMemoryGiB, string MemoryKind);

/// <summary>
/// Times the full training step (forward, loss, backward, Adam, EMA) on random data of the given shape,
/// after warm-up steps, synchronising the device only around the timed window.
/// </summary>
public static class TrainStepBenchmark
{
    public static TrainStepBenchmarkResult Run(TrainConfig config, Device device, int steps, int warmup)
    {
        using var trainer = new PaletteTrainer(config, device);
        var memory = new PeakMemory(device);
        var gen = new Generator(1234, device);
        using var x = randn([config.BatchSize, 3, config.ImageSize, config.ImageSize], device: device, generator: gen);
        using var y = randn([config.BatchSize, 3, config.ImageSize, config.ImageSize], device: device, generator: gen);
        for (int i = 0; i < warmup; i++) Step(trainer, x, y);
        Synchronize(device);
        memory.Sample();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step(trainer, x, y);
        Synchronize(device);
        clock.Stop();
        memory.Sample();
        double ms = clock.Elapsed.TotalMilliseconds / steps;
        long parameters = trainer.Network.parameters().Sum(p => p.numel());
        return new TrainStepBenchmarkResult(SpecNames.Of(config.Preset), config.BatchSize, config.ImageSize, device.ToString(),
            config.Precision.ToString().ToLowerInvariant(), parameters, ms, config.BatchSize * 1000.0 / ms, memory.PeakGiB, memory.Kind);
    }

    private static void Step(PaletteTrainer trainer, Tensor x, Tensor y) => trainer.TrainStep(x, y).Dispose();

    internal static void Synchronize(Device device)
    {
        if (device.type == TorchSharp.DeviceType.CUDA) TorchSharp.torch.cuda.synchronize(device);
    }
}
