using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.Abstractions;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Checkpoints;
using PaletteCluster.Cli.Cluster;
using PaletteCluster.Testing;
using PaletteCluster.Training;
using PaletteCluster.Training.Runtime;
using PaletteCluster.Worker;

namespace PaletteCluster.Cluster.Tests;

/// <summary>
/// Steering a job through the grains while a real worker trains it (embedded silo + worker in this process):
/// pause stops the worker at a checkpoint and hands the job back; resume continues it; and the final parameters
/// equal those of the same job trained without interruption in a plain loop.
/// </summary>
public sealed class PauseResumeTests : IDisposable
{
    private readonly string _root = RealPhotos.NewTempDir("palette-pause");

    [Fact]
    public async Task Pause_then_resume_continues_from_the_checkpoint_and_ends_bitwise_like_an_uninterrupted_run()
    {
        var device = TorchRuntime.Initialize("cpu", null);
        var spec = new JobSpec
        {
            Name = "pause", Data = RealPhotos.CopyTo(Path.Combine(_root, "data"), 3),
            Recipe = new()
            {
                Task = "inpainting,colorization", ImageSize = 32, BatchSize = 2, Steps = 40, WarmupSteps = 5, CheckpointEvery = 10,
                ReportEvery = 2, Samples = 0, Seed = 7,
            },
        };
        await using var cluster = await InProcessCluster.Start(Path.Combine(_root, "state"), b => b.SetMinimumLevel(LogLevel.Warning));
        var job = cluster.Grains.GetGrain<IJobGrain>("pause");
        await job.Create(spec);
        await cluster.Grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).AddJob("pause");
        cluster.StartWorker(new WorkerOptions { StorageRoot = Path.Combine(_root, "storage"), WorkerId = "w", PollInterval = TimeSpan.FromMilliseconds(200) },
            device, NullLogger.Instance);

        await JobWaits.Until(job, s => s.Step >= 6, "training to start");
        var paused = await job.Pause();
        Assert.Equal(JobState.Paused, paused.State);
        var released = await JobWaits.Until(job, s => s.Workers.Count == 0, "the worker to release the paused job");
        Assert.Equal(JobState.Paused, released.State);
        Assert.InRange(released.CheckpointStep, 6, 39); // it stopped early, with a checkpoint where it stopped
        Assert.Equal(released.CheckpointStep, CheckpointReader.Open(released.Checkpoint!).Manifest.Step);
        await Task.Delay(1000);
        Assert.Equal(released.Step, (await job.GetStatus())!.Step); // and stays stopped

        await job.Resume();
        var done = await JobWaits.Until(job, s => s.State is JobState.Completed or JobState.Failed, "the resumed job to finish");
        Assert.True(done.State == JobState.Completed, done.Error);
        Assert.Equal(40, done.Step);

        var plain = new TrainingRun(JobSpecMapping.ToTrainConfig(spec),
            JobSpecMapping.ToRunOptions(new Assignment("plain", spec, null, 0), new WorkerOptions { StorageRoot = Path.Combine(_root, "plain") }),
            device, NullLogger.Instance).Run();
        foreach (var file in new[] { CheckpointFiles.Model, CheckpointFiles.Ema, CheckpointFiles.Optimizer })
            Assert.Equal(CheckpointReader.Open(plain.LastCheckpoint!).Manifest.Files[file].Sha256, CheckpointReader.Open(done.Checkpoint!).Manifest.Files[file].Sha256);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
