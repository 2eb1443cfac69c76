using System.CommandLine;
using Microsoft.Extensions.Logging;
using PaletteCluster.Cli.Cluster;
using PaletteCluster.Data.Shards;
using PaletteCluster.Diffusion;
using PaletteCluster.Storage;
using PaletteCluster.Training;
using PaletteCluster.Training.Precision;
using PaletteCluster.Training.Runtime;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette train</c>: a local colorization run on a folder of images, with checkpoints and resume.</summary>
public static class TrainCommand
{
    public static Command Create()
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
        var steps = new Option<long>("--steps") { Description = "Total optimizer steps (across resumes)", DefaultValueFactory = _ => 1000 }.InRange(1, long.MaxValue);
        var preset = new Option<string>("--preset") { Description = "Network preset: tiny, small or adm", DefaultValueFactory = _ => "tiny" };
        var imageSize = new Option<int>("--image-size") { Description = "Training resolution (square)", DefaultValueFactory = _ => 64 }.InRange(8, 4096);
        var batch = new Option<int>("--batch") { Description = "Images per step", DefaultValueFactory = _ => 8 }.InRange(1, 65536);
        var lr = new Option<double>("--lr") { Description = "Adam learning rate after warmup (Palette: 1e-4)", DefaultValueFactory = _ => 1e-4 };
        var warmup = new Option<long>("--warmup") { Description = "Linear warmup steps (Palette: 10000)", DefaultValueFactory = _ => 10_000 }.InRange(0, long.MaxValue);
        var emaDecay = new Option<double>("--ema-decay") { Description = "EMA decay of the weights used for sampling (Palette: 0.9999)", DefaultValueFactory = _ => 0.9999 };
        var clip = new Option<double?>("--grad-clip") { Description = "Clip the global gradient norm to this value (default: off)" };
        var loss = new Option<LossKind>("--loss") { Description = "Noise loss: L1 (Palette's default) or L2", DefaultValueFactory = _ => LossKind.L1 };
        var schedule = new Option<string>("--schedule") { Description = "Training noise schedule kind:steps:start:end", DefaultValueFactory = _ => NoiseScheduleSpec.PaletteTrain.ToString() };
        var precision = new Option<PrecisionMode>("--precision") { Description = "fp32, or bf16 (bf16 compute with fp32 master weights; for CUDA)", DefaultValueFactory = _ => PrecisionMode.Fp32 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout in residual blocks", DefaultValueFactory = _ => 0.0 };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Steps between checkpoints (one is also written at the end and on Ctrl+C/SIGTERM)", DefaultValueFactory = _ => 1000 }.InRange(1, long.MaxValue);
        var logEvery = new Option<int>("--log-every") { Description = "Steps between progress reports", DefaultValueFactory = _ => 10 }.InRange(1, int.MaxValue);
        var task = new Option<string>("--task") { Description = "Task or weighted mix: colorization, inpainting, uncropping, jpeg, sr4x, denoising, deblurring; e.g. inpainting:2,colorization:1, or all", DefaultValueFactory = _ => "colorization" };
        var samples = new Option<int>("--samples") { Description = "Images in the sample grid written at the end (0: none)", DefaultValueFactory = _ => 8 }.InRange(0, 1024);
        var seed = CommonOptions.Seed();
        var device = CommonOptions.Device();
        var libtorch = CommonOptions.LibTorch();

        var command = new Command("train", "Train Palette: a job spec through the embedded cluster, or a plain local run on a folder of images")
        {
            jobSpec, state, storage, data, dataCache, output, resume, steps, preset, imageSize, batch, lr, warmup, emaDecay, clip, loss, schedule, precision, dropout,
            task, checkpointEvery, logEvery, samples, seed, device, libtorch,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(jobSpec) is { } specFile)
            {
                var device0 = TorchRuntime.Initialize(parse.GetValue(device)!, parse.GetValue(libtorch));
                using var jobLogging = ConsoleReporting.CreateLoggerFactory();
                using var jobStop = new ConsoleReporting.StopSignal(jobLogging.CreateLogger("palette.train"));
                return await new LocalJobRunner(specFile.FullName, parse.GetValue(state)!.FullName, parse.GetValue(storage)!.FullName, device0, jobLogging)
                    .Run(jobStop.Token);
            }
            if (parse.GetValue(data) is null || parse.GetValue(output) is null)
                throw new ArgumentException("train: give a job spec file, or --data and --out for a plain local run");
            var config = new TrainConfig
            {
                Preset = parse.GetValue(preset)!, ImageSize = parse.GetValue(imageSize), BatchSize = parse.GetValue(batch),
                Seed = parse.GetValue(seed), LearningRate = parse.GetValue(lr), WarmupSteps = parse.GetValue(warmup),
                GradClip = parse.GetValue(clip), EmaDecay = parse.GetValue(emaDecay), Loss = parse.GetValue(loss),
                TrainSchedule = parse.GetValue(schedule)!, Precision = parse.GetValue(precision), Dropout = parse.GetValue(dropout),
                Task = parse.GetValue(task)!,
            };
            config.Validate();
            var dev = TorchRuntime.Initialize(parse.GetValue(device)!, parse.GetValue(libtorch));
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
            var options = new TrainingRunOptions
            {
                DataDir = dataDir, RunDir = parse.GetValue(output)!.FullName, TotalSteps = parse.GetValue(steps),
                CheckpointEvery = parse.GetValue(checkpointEvery), LogEvery = parse.GetValue(logEvery), Resume = parse.GetValue(resume),
                FinalSamples = parse.GetValue(samples),
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
