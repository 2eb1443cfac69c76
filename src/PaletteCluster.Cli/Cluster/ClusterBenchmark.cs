using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.Checkpoints;
using PaletteCluster.Training;
using PaletteCluster.Worker;
using static TorchSharp.torch;

namespace PaletteCluster.Cli.Cluster;

/// <summary>
/// What the control plane costs: the same tiny job (same seed, same data) trained by the plain loop and through
/// an embedded silo + worker in this process, alternating, steps/s compared as a ratio. Also checks that both
/// end with the same parameters (the cluster path must not change the trajectory).
/// </summary>
public sealed class ClusterBenchmark(JobSpec spec, Device device, ILoggerFactory logging)
{
    public sealed record Round(string Path, long Steps, double LoopSeconds, double WallSeconds, string ModelSha256)
    {
        public double StepsPerSecond => Steps / LoopSeconds;
    }

    public async Task<IReadOnlyList<Round>> Run(int rounds, string scratch)
    {
        var results = new List<Round>();
        for (int r = 0; r < rounds; r++)
        {
            results.Add(Plain(Path.Combine(scratch, $"plain-{r}")));
            results.Add(await ThroughCluster(Path.Combine(scratch, $"cluster-{r}")));
        }
        return results;
    }

    private Round Plain(string folder)
    {
        var clock = Stopwatch.StartNew();
        var assignment = new Assignment("plain", spec, null, 0);
        var options = JobSpecMapping.ToRunOptions(assignment, new WorkerOptions { StorageRoot = folder });
        var result = new TrainingRun(JobSpecMapping.ToTrainConfig(spec), options, device, logging.CreateLogger("bench.plain")).Run();
        return new Round("plain loop", result.StepsRun, result.TrainingSeconds, clock.Elapsed.TotalSeconds, ModelHash(result.LastCheckpoint));
    }

    private async Task<Round> ThroughCluster(string folder)
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await InProcessCluster.Start(Path.Combine(folder, "state"), b => b.AddProvider(new SynchronousConsoleLoggerProvider(LogLevel.Warning)));
        const string jobId = "bench";
        await cluster.Grains.GetGrain<IJobGrain>(jobId).Create(spec);
        await cluster.Grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).AddJob(jobId);
        var worker = cluster.StartWorker(new WorkerOptions { StorageRoot = folder, MaxJobs = 1, WorkerId = "bench-worker" }, device, logging.CreateLogger("bench.worker"));
        await cluster.WorkerDone;
        var status = await cluster.Grains.GetGrain<IJobGrain>(jobId).GetStatus();
        if (status?.State != JobState.Completed)
            throw new InvalidOperationException($"benchmark job ended {status?.State}: {status?.Error}");
        var result = worker.LastResult!;
        return new Round("through the cluster", result.StepsRun, result.TrainingSeconds, clock.Elapsed.TotalSeconds, ModelHash(status.Checkpoint));
    }

    private static string ModelHash(string? checkpoint) =>
        checkpoint is null ? "-" : CheckpointReader.Open(checkpoint).Manifest.Files[CheckpointFiles.Model].Sha256;
}
