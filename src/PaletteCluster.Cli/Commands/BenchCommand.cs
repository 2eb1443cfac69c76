using System.CommandLine;
using System.Globalization;
using PaletteCluster.Training;
using PaletteCluster.Training.Benchmarks;
using PaletteCluster.Training.Precision;
using PaletteCluster.Training.Runtime;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette bench train-step</c>: speed and memory of the training step, in the reference script's RESULT format.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Network preset: tiny, small or adm", DefaultValueFactory = _ => "small" };
        var batch = new Option<int>("--batch") { Description = "Images per step", DefaultValueFactory = _ => 16 }.InRange(1, 4096);
        var res = new Option<int>("--res") { Description = "Image size (square)", DefaultValueFactory = _ => 256 }.InRange(8, 4096);
        var precision = new Option<PrecisionMode>("--precision") { Description = "fp32 or bf16 (bf16 compute, fp32 master weights)", DefaultValueFactory = _ => PrecisionMode.Fp32 };
        var steps = new Option<int>("--steps") { Description = "Timed steps", DefaultValueFactory = _ => 20 }.InRange(1, 100_000);
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps", DefaultValueFactory = _ => 5 }.InRange(0, 100_000);
        var device = CommonOptions.Device();
        var libtorch = CommonOptions.LibTorch();

        var trainStep = new Command("train-step", "Time the Palette training step (forward, L1 loss, backward, Adam, EMA) on random data")
        {
            preset, batch, res, precision, steps, warmup, device, libtorch,
        };
        trainStep.SetAction(parse =>
        {
            var dev = TorchRuntime.Initialize(parse.GetValue(device)!, parse.GetValue(libtorch));
            var config = new TrainConfig
            {
                Preset = parse.GetValue(preset)!, BatchSize = parse.GetValue(batch), ImageSize = parse.GetValue(res),
                Precision = parse.GetValue(precision), WarmupSteps = 0,
            };
            var r = TrainStepBenchmark.Run(config, dev, parse.GetValue(steps), parse.GetValue(warmup));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT impl=palettecluster config={r.Preset} params={r.Parameters / 1e6:F1}M res={r.Resolution} batch={r.Batch} dtype={r.Precision} device={r.Device} " +
                $"step_ms={r.MsPerStep:F1} img_per_s={r.ImagesPerSecond:F1} peak_mem_gib={r.PeakMemoryGiB:F2} mem_kind={r.MemoryKind}"));
            return 0;
        });

        var input = new Option<FileSystemInfo>("--input") { Description = "Image folder or file to draw samples from", Required = true };
        var size = new Option<int>("--size") { Description = "Sample size in pixels", DefaultValueFactory = _ => 256 }.InRange(8, 4096);
        var seconds = new Option<double>("--seconds") { Description = "Time per task", DefaultValueFactory = _ => 2.0 };
        var tasks = new Command("tasks", "Samples per second on one core for every task (decode excluded: images are decoded once)") { input, size, seconds };
        tasks.SetAction(parse =>
        {
            var images = InputImages.List(parse.GetValue(input)!).Select(Imaging.ImageCodec.Load).ToList();
            Console.WriteLine($"{"task",-14} {"samples/s/core",14}");
            foreach (var r in TaskThroughputBenchmark.Run(images, parse.GetValue(size), TimeSpan.FromSeconds(parse.GetValue(seconds))))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Task,-14} {r.SamplesPerSecond,14:F1}"));
            return 0;
        });

        return new Command("bench", "Benchmarks (print measurements; not tests)") { trainStep, tasks, ClusterBenchCommand.Create(), CheckpointBenchCommand.Create() };
    }
}
