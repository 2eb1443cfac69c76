using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Cli.Cluster;
using PaletteCluster.Recipes;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette bench cluster</c>: steps/s of a tiny job through an embedded silo + worker vs the plain loop.</summary>
public static class ClusterBenchCommand
{
    public static Command Create(EnvironmentKnobs knobs)
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Image or shard folder", Required = true };
        var rounds = new Option<int>("--rounds") { Description = "Plain/cluster pairs, alternating", DefaultValueFactory = _ => 2 }.InRange(1, 100);
        // A tiny job that reports every 10 steps and checkpoints only at the end (set below), without samples.
        var recipe = new RecipeOptions(
            new TrainingRecipe { Steps = 100, ImageSize = 32, Task = "inpainting,colorization", WarmupSteps = 10, ReportEvery = 10, Samples = 0 },
            RecipeFields.Steps, RecipeFields.ImageSize, RecipeFields.BatchSize, RecipeFields.Task);
        var scratch = new Option<DirectoryInfo?>("--scratch") { Description = "Folder for the runs (default: a temp folder, deleted after)" };
        var device = CommonOptions.Device();
        var libtorch = CommonOptions.LibTorch();
        var command = new Command("cluster", "Training steps/s of a tiny job through an in-process silo + worker vs the same training in a plain loop")
        {
            data, rounds, scratch, device, libtorch,
        };
        foreach (var option in recipe.Options) command.Options.Add(option);
        command.SetAction(async (parse, _) =>
        {
            var run = recipe.BindValid(parse);
            var spec = new JobSpec { Name = "bench", Data = parse.GetValue(data)!.FullName, Recipe = run with { CheckpointEvery = run.Steps } };
            var dev = knobs.InitializeTorch(parse.GetValue(device)!, parse.GetValue(libtorch));
            var folder = parse.GetValue(scratch)?.FullName ?? Path.Combine(Path.GetTempPath(), $"palette-bench-{Guid.NewGuid():N}");
            using var logging = LoggerFactory.Create(b => b.AddProvider(new SynchronousConsoleLoggerProvider(LogLevel.Warning)));
            try
            {
                var results = await new ClusterBenchmark(spec, dev, logging).Run(parse.GetValue(rounds), folder);
                Console.WriteLine($"{"path",-22} {"steps",6} {"loop s",8} {"steps/s",8} {"wall s",8}  model sha-256");
                foreach (var r in results)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Path,-22} {r.Steps,6} {r.LoopSeconds,8:F2} {r.StepsPerSecond,8:F3} {r.WallSeconds,8:F2}  {r.ModelSha256[..16]}"));
                double Median(string path) => results.Where(r => r.Path == path).Select(r => r.StepsPerSecond).Order().ElementAt(results.Count(r => r.Path == path) / 2);
                double plain = Median("plain loop"), cluster = Median("through the cluster");
                bool same = results.Select(r => r.ModelSha256).Distinct().Count() == 1;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"RESULT bench=cluster steps={run.Steps} plain_steps_per_s={plain:F3} cluster_steps_per_s={cluster:F3} ratio={cluster / plain:F3} identical_parameters={(same ? "yes" : "no")}"));
            }
            finally
            {
                if (parse.GetValue(scratch) is null && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        return command;
    }
}
