using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Cli.Cluster;
using PaletteCluster.Training.Runtime;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette bench cluster</c>: steps/s of a tiny job through an embedded silo + worker vs the plain loop.</summary>
public static class ClusterBenchCommand
{
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Image or shard folder", Required = true };
        var steps = new Option<long>("--steps") { Description = "Steps per run", DefaultValueFactory = _ => 100 }.InRange(1, 1_000_000);
        var rounds = new Option<int>("--rounds") { Description = "Plain/cluster pairs, alternating", DefaultValueFactory = _ => 2 }.InRange(1, 100);
        var size = new Option<int>("--image-size") { Description = "Training resolution", DefaultValueFactory = _ => 32 }.InRange(8, 4096);
        var batch = new Option<int>("--batch") { Description = "Images per step", DefaultValueFactory = _ => 8 }.InRange(1, 4096);
        var task = new Option<string>("--task") { Description = "Task mix", DefaultValueFactory = _ => "inpainting,colorization" };
        var scratch = new Option<DirectoryInfo?>("--scratch") { Description = "Folder for the runs (default: a temp folder, deleted after)" };
        var device = CommonOptions.Device();
        var libtorch = CommonOptions.LibTorch();
        var command = new Command("cluster", "Training steps/s of a tiny job through an in-process silo + worker vs the same training in a plain loop")
        {
            data, steps, rounds, size, batch, task, scratch, device, libtorch,
        };
        command.SetAction(async (parse, _) =>
        {
            var dev = TorchRuntime.Initialize(parse.GetValue(device)!, parse.GetValue(libtorch));
            var spec = new JobSpec
            {
                Name = "bench", Data = parse.GetValue(data)!.FullName, Task = parse.GetValue(task)!, Preset = "tiny",
                ImageSize = parse.GetValue(size), BatchSize = parse.GetValue(batch), Steps = parse.GetValue(steps),
                WarmupSteps = 10, CheckpointEvery = parse.GetValue(steps), ReportEvery = 10, Samples = 0, Seed = 0,
            };
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
                    $"RESULT bench=cluster steps={spec.Steps} plain_steps_per_s={plain:F3} cluster_steps_per_s={cluster:F3} ratio={cluster / plain:F3} identical_parameters={(same ? "yes" : "no")}"));
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
