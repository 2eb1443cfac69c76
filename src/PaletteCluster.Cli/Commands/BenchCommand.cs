using System.CommandLine;
using System.Globalization;
using PaletteCluster.Training;
using PaletteCluster.Training.Benchmarks;
using PaletteCluster.Recipes;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette bench train-step</c>: speed and memory of the training step, in the reference script's RESULT format.</summary>
public static class BenchCommand
{
    public static Command Create(EnvironmentKnobs knobs)
    {
        // The reference script's benchmark: small at 256 px, batch 16, no warmup of the learning rate.
        var recipe = new RecipeOptions(new TrainingRecipe { Preset = UNetPreset.Small, BatchSize = 16, ImageSize = 256, WarmupSteps = 0 },
            RecipeFields.Preset, RecipeFields.BatchSize, RecipeFields.ImageSize, RecipeFields.Precision);
        var steps = new Option<int>("--steps") { Description = "Timed steps", DefaultValueFactory = _ => 20 }.InRange(1, 100_000);
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps", DefaultValueFactory = _ => 5 }.InRange(0, 100_000);
        var device = CommonOptions.Device();
        var libtorch = CommonOptions.LibTorch();

        var trainStep = new Command("train-step", "Time the Palette training step (forward, L1 loss, backward, Adam, EMA) on random data")
        {
            steps, warmup, device, libtorch,
        };
        foreach (var option in recipe.Options) trainStep.Options.Add(option);
        trainStep.SetAction(parse =>
        {
            var config = TrainConfig.From(recipe.BindValid(parse));
            var dev = knobs.InitializeTorch(parse.GetValue(device)!, parse.GetValue(libtorch));
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

        return new Command("bench", "Benchmarks (print measurements; not tests)") { trainStep, tasks, ClusterBenchCommand.Create(knobs), CheckpointBenchCommand.Create(knobs) };
    }
}
