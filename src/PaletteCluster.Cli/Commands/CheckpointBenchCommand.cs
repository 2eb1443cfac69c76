using System.CommandLine;
using System.Globalization;
using PaletteCluster.Recipes;
using PaletteCluster.Training;
using PaletteCluster.Training.Benchmarks;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette bench checkpoint</c>: how long a checkpoint stops training, synchronous vs background write.</summary>
public static class CheckpointBenchCommand
{
    public static Command Create(EnvironmentKnobs knobs)
    {
        // One training step at a small size first: the checkpoint's size does not depend on the image size.
        var recipe = new RecipeOptions(new TrainingRecipe { ImageSize = 32, BatchSize = 1, WarmupSteps = 0 }, RecipeFields.Preset, RecipeFields.ImageSize);
        var repeats = new Option<int>("--repeats") { Description = "Checkpoints per mode; medians are printed", DefaultValueFactory = _ => 5 }.InRange(1, 1000);
        var output = new Option<DirectoryInfo?>("--out") { Description = "Folder to write the checkpoints in (default: a temp folder); each is deleted once timed" };
        var device = CommonOptions.Device();
        var libtorch = CommonOptions.LibTorch();
        var command = new Command("checkpoint", "Training-thread stall of a checkpoint: synchronous write vs snapshot + background write")
        {
            repeats, output, device, libtorch,
        };
        foreach (var option in recipe.Options) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var config = TrainConfig.From(recipe.BindValid(parse));
            var dev = knobs.InitializeTorch(parse.GetValue(device)!, parse.GetValue(libtorch));
            var folder = parse.GetValue(output)?.FullName ?? Path.Combine(Path.GetTempPath(), $"palette-bench-checkpoint-{Guid.NewGuid():N}");
            Directory.CreateDirectory(folder);
            try
            {
                var r = CheckpointStallBenchmark.Run(config, dev, parse.GetValue(repeats), folder);
                Console.WriteLine($"{"preset",-8} {"params",8} {"ckpt MB",8} {"sync write ms",14} {"snapshot stall ms",18} {"bg write ms",12} {"stall ratio",12} {"writer KB",10}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Preset,-8} {r.Parameters / 1e6,7:F1}M {r.CheckpointBytes / 1e6,8:F1} {r.SyncWriteMs,14:F1} {r.SnapshotStallMs,18:F1} {r.BackgroundWriteMs,12:F1} {r.StallRatio,12:F3} {r.WriterManagedBytes / 1024.0,10:F1}"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"RESULT bench=checkpoint preset={r.Preset} device={r.Device} params={r.Parameters} checkpoint_bytes={r.CheckpointBytes} repeats={r.Repeats} " +
                    $"sync_write_ms={r.SyncWriteMs:F1} snapshot_stall_ms={r.SnapshotStallMs:F1} first_snapshot_stall_ms={r.FirstSnapshotStallMs:F1} background_write_ms={r.BackgroundWriteMs:F1} stall_ratio={r.StallRatio:F3} writer_managed_bytes={r.WriterManagedBytes}"));
            }
            finally
            {
                if (parse.GetValue(output) is null) Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        return command;
    }
}
