using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Checkpoints;
using PaletteCluster.Data;
using PaletteCluster.Data.Shards;
using PaletteCluster.Data.Tasks;
using PaletteCluster.Training.Callbacks;
using PaletteCluster.Training.Runtime;
using static TorchSharp.torch;

namespace PaletteCluster.Training;

/// <summary>
/// A local training run on a folder of images: resumes from the run folder's latest checkpoint, trains to the
/// total step count, and raises events to callbacks (<see cref="TrainingCallback"/>) along the way. Checkpoints
/// (periodic, on stop, at the end) and the final sample grid are callbacks of every run; callers add their own.
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
    /// <param name="callbacks">Called on the training thread, after the run's own (checkpoints, then the sample grid).</param>
    public Result Run(IEnumerable<TrainingCallback>? callbacks = null, CancellationToken cancel = default)
    {
        options.Validate();
        var data = ShardImageSource.Open(options.DataDir);
        var (runConfig, checkpoint) = ResolveStart();
        using var trainer = new PaletteTrainer(runConfig, device);
        var position = Restore(trainer, checkpoint, data);
        WriteConfig(runConfig);

        var loader = new PairBatchLoader(data, TaskCatalog.FromSpec(runConfig.Task), runConfig.BatchSize, runConfig.ImageSize, (ulong)runConfig.Seed, position, logger);
        using var checkpoints = new RunCheckpointer(options, checkpoint?.Directory, logger);
        var samples = new SampleGridWriter(options, logger);
        var events = new TrainingCallbacks([checkpoints, samples, .. callbacks ?? []]);
        var state = new TrainingState(trainer, options.TotalSteps, data, position, events);

        events.FitStart(state);
        var loopClock = Stopwatch.StartNew();
        RunLoop(state, loader, cancel);
        loopClock.Stop();
        LogSkipped(loader);
        events.LoopEnd(state);

        var result = new Result(state.Step, checkpoints.Latest, samples.Path, loader.SkippedFiles.Count, state.Stopped, state.StepsRun,
            loopClock.Elapsed.TotalSeconds, checkpoints.Stall.TotalSeconds, checkpoints.WriteTime.TotalSeconds);
        events.FitEnd(state, result);
        return result;
    }

    /// <summary>Steps until the total or a stop. The data position saved is that of the last batch trained on, never the producer's.</summary>
    private void RunLoop(TrainingState state, PairBatchLoader loader, CancellationToken cancel)
    {
        // Batches may be made ahead on another thread (see BatchFeed).
        using var batches = new BatchFeed(loader, options.PrefetchDepth ?? PrefetchDepthDefault.For(device));
        while (state.Step < options.TotalSteps && !cancel.IsCancellationRequested)
        {
            using var batch = batches.Next();
            RunStep(state, batch);
        }
        batches.Dispose(); // the producer ends; the skipped files are complete after this
        state.LoopOver();
    }

    private void RunStep(TrainingState state, PairBatch batch)
    {
        using var loss = state.Trainer.TrainStep(batch.Condition, batch.Target, batch.Mask);
        state.StepTaken(loss, batch.Position, state.Config.BatchSize);
        if (state.Step % options.ReportEvery == 0) LogStep(state);
        state.Events.StepEnd(state);
        state.StepOver();
    }

    /// <summary>The one deliberate host sync of a logging step: its progress carries the loss (checked finite).</summary>
    private static void LogStep(TrainingState state) => state.Events.ProgressLogged(state, state.Progress());

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

    /// <summary>Loads the checkpoint (if any) into the trainer; returns the data position to continue from.</summary>
    private DataPosition Restore(PaletteTrainer trainer, CheckpointReader? checkpoint, IImageSource data)
    {
        if (checkpoint is null) return DataPosition.Start;
        var position = TrainerCheckpoint.Restore(trainer, checkpoint);
        var saved = checkpoint.Manifest.State["data"]?["fingerprint"]?.GetValue<string>();
        if (saved is not null && saved != data.Fingerprint)
            logger.LogWarning("The image folder differs from the one this run started with ({Count} files now); the data order will not match the original run", data.Count);
        logger.LogInformation("Resumed from {Checkpoint} at step {Step}, data {Position}", checkpoint.Directory, trainer.Step, position);
        return position;
    }

    private void WriteConfig(TrainConfig runConfig)
    {
        Directory.CreateDirectory(options.RunDir);
        File.WriteAllText(Path.Combine(options.RunDir, "config.json"), TrainerCheckpoint.ConfigToJson(runConfig).ToJsonString(CheckpointManifest.JsonOptions));
    }

    private void LogSkipped(PairBatchLoader loader)
    {
        if (loader.SkippedFiles.Count > 0)
            logger.LogWarning("Skipped {Count} unreadable image(s): {Files}", loader.SkippedFiles.Count,
                string.Join("; ", loader.SkippedFiles.Select(s => $"{s.RelativePath}: {s.Reason}")));
    }
}
