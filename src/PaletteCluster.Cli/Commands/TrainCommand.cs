using System.CommandLine;
using Microsoft.Extensions.Logging;
using PaletteCluster.Cli.Cluster;
using PaletteCluster.Data.Shards;
using PaletteCluster.Diffusion;
using PaletteCluster.Storage;
using PaletteCluster.Training;
using PaletteCluster.Recipes;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette train</c>: a local colorization run on a folder of images, with checkpoints and resume.</summary>
public static class TrainCommand
{
    public static Command Create(EnvironmentKnobs knobs)
    {
        var jobSpec = new Argument<FileInfo?>("job-spec")
        {
            Description = "A job spec (YAML/JSON): train it through an embedded silo + worker in this process, like a cluster job. Without it: a plain local run from the options below",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var state = new Option<DirectoryInfo>("--state") { Description = "With a job spec: folder of the embedded cluster's state", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("runs", "cluster-state")) };
        var storage = new Option<DirectoryInfo>("--storage") { Description = "With a job spec: folder for job checkpoints and samples (jobs/<id>/)", DefaultValueFactory = _ => new DirectoryInfo("runs") };
        var data = new Option<string>("--data")
        {
            Description = "Folder of JPEG/PNG images (searched recursively) or of shards from palette shards build, or shards in a blob store " +
                          $"({BlobStoreLocation.AzureScheme}<container>[/<prefix>], account from ${BlobStoreLocation.ConnectionStringVariable}), downloaded and verified into --data-cache",
        };
        var dataCache = new Option<DirectoryInfo?>("--data-cache")
        {
            Description = $"Where shards from a blob store are kept (default: ${ShardDataLocation.CacheVariable}, else ~/.cache/palette/datasets)",
        };
        var output = new Option<DirectoryInfo>("--out") { Description = "Run folder: checkpoints/, samples/, config.json" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run folder's latest checkpoint (its stored config wins over the options below)" };
        var recipe = new RecipeOptions(new TrainingRecipe(), RecipeFields.All.ToArray());
        var device = CommonOptions.Device();
        var libtorch = CommonOptions.LibTorch();

        var command = new Command("train", "Train Palette: a job spec through the embedded cluster, or a plain local run on a folder of images")
        {
            jobSpec, state, storage, data, dataCache, output, resume, device, libtorch,
        };
        foreach (var option in recipe.Options) command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(jobSpec) is { } specFile)
            {
                var device0 = knobs.InitializeTorch(parse.GetValue(device)!, parse.GetValue(libtorch));
                using var jobLogging = ConsoleReporting.CreateLoggerFactory();
                using var jobStop = new ConsoleReporting.StopSignal(jobLogging.CreateLogger("palette.train"));
                return await new LocalJobRunner(specFile.FullName, parse.GetValue(state)!.FullName, parse.GetValue(storage)!.FullName, device0, knobs, jobLogging)
                    .Run(jobStop.Token);
            }
            if (parse.GetValue(data) is null || parse.GetValue(output) is null)
                throw new ArgumentException("train: give a job spec file, or --data and --out for a plain local run");
            var run = recipe.BindValid(parse);
            var config = TrainConfig.From(run);
            var dev = knobs.InitializeTorch(parse.GetValue(device)!, parse.GetValue(libtorch));
            using var logging = ConsoleReporting.CreateLoggerFactory();
            var logger = logging.CreateLogger("palette.train");
            // An unreachable store is an expected error (CliErrors): one line, exit code 2.
            var downloadBar = new ProgressBar(Console.Out, plainEvery: 50);
            bool downloading = false;
            var dataDir = await ShardDataLocation.ResolveAsync(parse.GetValue(data)!,
                parse.GetValue(dataCache)?.FullName ?? ShardDataLocation.DefaultCacheRoot(), logger,
                new ConsoleReporting.Inline<ShardTransferProgress>(p =>
                {
                    downloading = true;
                    downloadBar.Report("download MB", p.BytesDone >> 20, p.BytesTotal >> 20, $"shard {p.ShardsDone}/{p.ShardsTotal}");
                }), cancellationToken: cancellationToken);
            if (downloading) downloadBar.Finish();
            var options = TrainingRunOptions.For(run, dataDir, parse.GetValue(output)!.FullName) with
            {
                Resume = parse.GetValue(resume), SynchronousCheckpoints = knobs.SynchronousCheckpoints, PrefetchDepth = knobs.PrefetchDepth,
            };
            using var stop = new ConsoleReporting.StopSignal(logger);
            logger.LogInformation("Training {Preset} at {Size}px, batch {Batch}, on {Device}", config.Preset, config.ImageSize, config.BatchSize, dev);

            var result = new TrainingRun(config, options, dev, logger).Run([new TrainingProgressBar(new ProgressBar(Console.Out))], stop.Token);
            Console.WriteLine(result.Cancelled
                ? $"Stopped at step {result.Step}; resume with --resume. Checkpoint: {result.LastCheckpoint}"
                : $"Done: step {result.Step}. Checkpoint: {result.LastCheckpoint}" + (result.SampleGrid is null ? "" : $"; samples: {result.SampleGrid}"));
            return 0;
        });
        return command;
    }
}
