using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PaletteCluster.Checkpoints;
using PaletteCluster.Data;
using PaletteCluster.Data.Shards;
using PaletteCluster.Data.Tasks;
using PaletteCluster.Training.Runtime;
using PaletteCluster.Training.Sampling;
using static TorchSharp.torch;

namespace PaletteCluster.Training;

/// <summary>
/// A local training run on a folder of images: resumes from the run folder's latest checkpoint, trains to the
/// total step count, checkpoints periodically, on cancellation and at the end, then writes a sample grid.
/// </summary>
public sealed class TrainingRun(TrainConfig config, TrainingRunOptions options, Device device, ILogger logger)
{
    /// <param name="StepsRun">Optimizer steps taken by this call (not counting those before a resume).</param>
    /// <param name="TrainingSeconds">Wall time of those steps: the loop only, without start-up and the final sample grid.</param>
    /// <param name="CheckpointStallSeconds">
    /// Training-thread time spent on checkpoints: snapshots, waits for a previous write still in flight, the wait
    /// for the last write at the end, and whole writes where they are synchronous (PALETTE_SYNC_CHECKPOINTS=1, the
    /// last step, a stop).
    /// </param>
    /// <param name="CheckpointWriteSeconds">Time spent writing checkpoint folders, in the background or not.</param>
    public sealed record Result(long Step, string? LastCheckpoint, string? SampleGrid, long SkippedImages, bool Cancelled,
        long StepsRun = 0, double TrainingSeconds = 0, double CheckpointStallSeconds = 0, double CheckpointWriteSeconds = 0);

    /// <summary>
    /// Trains to the total step count or until <paramref name="cancel"/>; returns once every checkpoint is complete
    /// on disk, so <see cref="Result.LastCheckpoint"/> names a complete folder.
    /// </summary>
    /// <param name="progress">
    /// Called on the training thread only. Every ReportEvery steps with the loss; a checkpoint step is reported once its
    /// checkpoint is complete on disk (CheckpointWritten set, with that step's loss, LR and data position). Written
    /// in the background, that report comes at the first step after the write ended, so it can follow reports of
    /// later steps: consumers must not take report order for step order.
    /// </param>
    public Result Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        options.Validate();
        var folder = ShardImageSource.Open(options.DataDir);
        var (runConfig, checkpoint) = ResolveStart();
        using var trainer = new PaletteTrainer(runConfig, device);
        var position = DataPosition.Start;
        if (checkpoint is not null)
        {
            position = TrainerCheckpoint.Restore(trainer, checkpoint);
            CheckSameData(checkpoint, folder);
            logger.LogInformation("Resumed from {Checkpoint} at step {Step}, data {Position}", checkpoint.Directory, trainer.Step, position);
        }
        Directory.CreateDirectory(options.RunDir);
        File.WriteAllText(Path.Combine(options.RunDir, "config.json"), TrainerCheckpoint.ConfigToJson(runConfig).ToJsonString(CheckpointManifest.JsonOptions));

        // Batches may be made ahead on another thread, only as far as the GC-quiet region of the steps can absorb
        // (see QuietBatchFeed). The position saved is that of the last batch trained on, never the producer's.
        var loader = new PairBatchLoader(
            folder, TaskCatalog.FromSpec(runConfig.Task), runConfig.BatchSize, runConfig.ImageSize, (ulong)runConfig.Seed, position, logger);
        using var checkpoints = new RunCheckpointer(options.SynchronousCheckpoints, progress, logger);
        using var batches = new QuietBatchFeed(loader, options.PrefetchDepth ?? PrefetchDepthDefault.For(device), logger);
        var clock = Stopwatch.StartNew();
        var loopClock = Stopwatch.StartNew();
        long imagesSinceReport = 0, firstStep = trainer.Step;
        using var quiet = new GcQuietSpan();
        while (trainer.Step < options.TotalSteps && !cancel.IsCancellationRequested)
        {
            // Batch making (in line) runs before the region is renewed: a new region starts with a collection, and the
            // loader's image decodes are the bulk of the allocations (it only wraps arrays into tensors: no Scalars at risk).
            using var batch = batches.Next();
            batches.BeforeStep(quiet);
            using var loss = trainer.TrainStep(batch.Condition, batch.Target, batch.Mask);
            position = batch.Position;
            imagesSinceReport += runConfig.BatchSize;
            checkpoints.Poll(); // a background write that ended is reported now; a failed one throws here
            bool save = trainer.Step % options.CheckpointEvery == 0 || trainer.Step == options.TotalSteps;
            if (!save && trainer.Step % options.ReportEvery != 0) continue;

            // The one deliberate host sync: read the loss for the report, and never checkpoint a diverged model.
            double lossValue = loss.item<float>();
            if (!double.IsFinite(lossValue))
                throw new InvalidDataException($"training diverged: loss is {lossValue} at step {trainer.Step}; lower --lr or enable --grad-clip (checkpoints so far are kept)");
            var report = new TrainingProgress(trainer.Step, options.TotalSteps, lossValue, trainer.CurrentLearningRate,
                imagesSinceReport / clock.Elapsed.TotalSeconds, null, position);
            if (save)
                SaveCheckpoint(checkpoints, trainer, position, folder, report, trainingGoesOn: trainer.Step < options.TotalSteps);
            else
                progress?.Report(report);
            clock.Restart();
            imagesSinceReport = 0;
        }

        loopClock.Stop();
        batches.Dispose(); // the producer ends while the region still holds; the skipped files are complete after this
        quiet.Dispose(); // checkpoint writes and sampling below allocate freely
        long stepsRun = trainer.Step - firstStep;
        bool cancelled = trainer.Step < options.TotalSteps;
        if (cancelled && stepsRun > 0 && checkpoints.LastStarted?.EndsWith(StepFolder(trainer.Step)) != true)
        {
            // A stop loses no work. Nothing overlaps it any more, so it is written directly (no copy of the state);
            // as before, it is not reported (no loss was read): callers find it in Result.LastCheckpoint.
            SaveCheckpoint(checkpoints, trainer, position, folder, report: null, trainingGoesOn: false);
        }
        checkpoints.Drain();
        if (loader.SkippedFiles.Count > 0)
            logger.LogWarning("Skipped {Count} unreadable image(s): {Files}", loader.SkippedFiles.Count,
                string.Join("; ", loader.SkippedFiles.Select(s => $"{s.RelativePath}: {s.Reason}")));

        string? grid = null;
        if (!cancelled && options.Samples > 0)
            grid = WriteSampleGrid(trainer, folder);
        // Resumed with nothing left to do (or stopped before the first step): the checkpoint resumed from is the latest.
        return new Result(trainer.Step, checkpoints.LastWritten ?? checkpoint?.Directory, grid, loader.SkippedFiles.Count, cancelled, stepsRun, loopClock.Elapsed.TotalSeconds,
            checkpoints.Stall.TotalSeconds, checkpoints.WriteTime.TotalSeconds);
    }

    private (TrainConfig, CheckpointReader?) ResolveStart()
    {
        if (options.ResumeFrom is not null)
        {
            // The control plane names the checkpoint: it only ever points at complete, verified ones.
            var named = CheckpointReader.Open(options.ResumeFrom);
            return (TrainerCheckpoint.ConfigFromJson(named.Manifest.Config, $"checkpoint {options.ResumeFrom}"), named);
        }
        var latest = CheckpointReader.FindLatest(options.CheckpointsDir);
        if (latest is null) return (config, null);
        if (!options.Resume)
            throw new ArgumentException($"out: run folder '{options.RunDir}' already has checkpoints (latest: {Path.GetFileName(latest)}); pass --resume to continue it or choose another --out");
        var reader = CheckpointReader.Open(latest);
        var stored = TrainerCheckpoint.ConfigFromJson(reader.Manifest.Config, $"checkpoint {latest}");
        return (stored, reader);
    }

    private void SaveCheckpoint(RunCheckpointer checkpoints, PaletteTrainer trainer, DataPosition position, IImageSource folder,
        TrainingProgress? report, bool trainingGoesOn)
    {
        var dir = Path.Combine(options.CheckpointsDir, StepFolder(trainer.Step));
        var extra = new JsonObject { ["data"] = new JsonObject { ["files"] = folder.Count, ["fingerprint"] = folder.Fingerprint } };
        checkpoints.Save(dir, snapshot => TrainerCheckpoint.Capture(trainer, position, extra, snapshot), report, trainingGoesOn);
    }

    private void CheckSameData(CheckpointReader checkpoint, IImageSource folder)
    {
        var saved = checkpoint.Manifest.State["data"]?["fingerprint"]?.GetValue<string>();
        if (saved is not null && saved != folder.Fingerprint)
            logger.LogWarning("The image folder differs from the one this run started with ({Count} files now); the data order will not match the original run", folder.Count);
    }

    /// <summary>
    /// A grid from the EMA weights, rows of every task in the mix. Stochastic DDIM (eta 1) over 50 steps: early in
    /// training it gives far cleaner pictures than deterministic DDIM, at a twentieth of DDPM's cost.
    /// </summary>
    private string WriteSampleGrid(PaletteTrainer trainer, IImageSource folder)
    {
        using var sampler = ImageSampler.FromTrainer(trainer);
        var path = Path.Combine(options.RunDir, "samples", $"{StepFolder(trainer.Step)}.png");
        var sampling = new SamplingOptions { Sampler = "ddim", Steps = options.FinalSampleSteps, Eta = 1.0, Seed = trainer.Config.Seed };
        TaskSampleGrid.Write(sampler, folder, trainer.Config.Task, options.Samples, path, sampling, logger);
        return path;
    }

    public static string StepFolder(long step) => $"step-{step:D8}";
}
