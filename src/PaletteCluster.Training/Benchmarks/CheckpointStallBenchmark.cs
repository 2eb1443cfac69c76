using System.Diagnostics;
using PaletteCluster.Checkpoints;
using PaletteCluster.Data;
using static TorchSharp.torch;
using PaletteCluster.Recipes;

namespace PaletteCluster.Training.Benchmarks;

/// <param name="SyncWriteMs">Median time a synchronous checkpoint keeps training waiting (capture + atomic write).</param>
/// <param name="SnapshotStallMs">Median time a background checkpoint keeps training waiting (the copy of the state).</param>
/// <param name="FirstSnapshotStallMs">The first snapshot's stall, which also allocates the snapshot's memory.</param>
/// <param name="BackgroundWriteMs">Median time the writer thread takes to write that copy.</param>
/// <param name="WriterManagedBytes">Managed bytes the writer thread allocated for one checkpoint (the largest seen).</param>
public sealed record CheckpointStallBenchmarkResult(
    string Preset, string Device, long Parameters, long CheckpointBytes, int Repeats,
    double SyncWriteMs, double SnapshotStallMs, double FirstSnapshotStallMs, double BackgroundWriteMs, long WriterManagedBytes)
{
    /// <summary>Training-thread stall of a background checkpoint relative to a synchronous one (lower is better).</summary>
    public double StallRatio => SnapshotStallMs / SyncWriteMs;
}

/// <summary>
/// How long a checkpoint stops training: written synchronously on the training thread, against a snapshot handed
/// to the <see cref="BackgroundCheckpointWriter"/>. Both are measured on the same trainer, alternately, after one
/// training step (so the Adam moments exist and the checkpoint has its real size). Background checkpoints refill one
/// <see cref="StateSnapshot"/>, as a run does.
/// </summary>
public static class CheckpointStallBenchmark
{
    public static CheckpointStallBenchmarkResult Run(TrainConfig config, Device device, int repeats, string folder)
    {
        using var trainer = new PaletteTrainer(config, device);
        using (var gen = new Generator(1234, device))
        using (var condition = randn([config.BatchSize, 3, config.ImageSize, config.ImageSize], device: device, generator: gen))
        using (var target = randn([config.BatchSize, 3, config.ImageSize, config.ImageSize], device: device, generator: gen))
            trainer.TrainStep(condition, target).Dispose();
        TrainStepBenchmark.Synchronize(device);

        var position = DataPosition.Start;
        var (sync, stall, write) = (new List<double>(), new List<double>(), new List<double>());
        long checkpointBytes = 0, writerBytes = 0;
        using var snapshot = new StateSnapshot();
        using var writer = new BackgroundCheckpointWriter(); // declared last: disposed (joined) before the snapshot
        for (int i = 0; i < repeats; i++)
        {
            var syncDir = Path.Combine(folder, $"sync-{i}");
            long started = Stopwatch.GetTimestamp();
            CheckpointWriter.Write(syncDir, TrainerCheckpoint.Capture(trainer, position));
            sync.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            checkpointBytes = new DirectoryInfo(syncDir).EnumerateFiles().Sum(f => f.Length);
            Directory.Delete(syncDir, recursive: true);

            var backgroundDir = Path.Combine(folder, $"background-{i}");
            started = Stopwatch.GetTimestamp();
            var content = TrainerCheckpoint.Capture(trainer, position, copyInto: snapshot);
            // On a GPU the copy is queued, not done: wait for it, as the next step's kernels would.
            TrainStepBenchmark.Synchronize(device);
            writer.Submit(backgroundDir, content);
            stall.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var written = writer.WaitForFinished()!;
            written.ThrowIfFailed();
            write.Add(written.WriteTime.TotalMilliseconds);
            writerBytes = Math.Max(writerBytes, written.ManagedBytesAllocated);
            Directory.Delete(backgroundDir, recursive: true);
        }

        long parameters = trainer.Network.parameters().Sum(p => p.numel());
        return new CheckpointStallBenchmarkResult(SpecNames.Of(config.Preset), device.ToString(), parameters, checkpointBytes, repeats,
            Median(sync), Median(stall), stall[0], Median(write), writerBytes);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
