using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Checkpoints;
using PaletteCluster.Training;
using PaletteCluster.Training.Callbacks;
using PaletteCluster.Worker;
using static TorchSharp.torch;

namespace PaletteCluster.Cli.Cluster;

/// <summary>
/// What the control plane costs: the same tiny job (same seed, same data) trained by the plain loop and through
/// an embedded silo + worker in this process, alternating, steps/s compared as a ratio. Also checks that both
/// end with the same parameters (the cluster path must not change the trajectory). The rate is taken between the
/// progress reports at a fifth of the steps and at the end, so start-up (first image decodes, silo start,
/// assignment) is left out of both.
/// </summary>
public sealed class ClusterBenchmark(JobSpec spec, Device device, ILoggerFactory logging)
{
    public sealed record Round(string Path, long Steps, double LoopSeconds, double WallSeconds, string ModelSha256)
    {
        public double StepsPerSecond => Steps / LoopSeconds;
    }

    private long FirstTimedStep => Math.Max(spec.Recipe.ReportEvery, spec.Recipe.Steps / 5 / spec.Recipe.ReportEvery * spec.Recipe.ReportEvery);

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
        var reports = new List<(long Step, DateTimeOffset At)>();
        var result = new TrainingRun(JobSpecMapping.ToTrainConfig(spec), options, device, logging.CreateLogger("bench.plain"))
            .Run([new ReportTimes(reports)]);
        var (steps, seconds) = Steady(reports);
        return new Round("plain loop", steps, seconds, clock.Elapsed.TotalSeconds, ModelHash(result.LastCheckpoint));
    }

    private async Task<Round> ThroughCluster(string folder)
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await InProcessCluster.Start(Path.Combine(folder, "state"), ConsoleReporting.HostLogging(LogLevel.Warning));
        const string jobId = "bench";
        await cluster.Grains.GetGrain<IJobGrain>(jobId).Create(spec);
        await cluster.Grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).AddJob(jobId);
        cluster.StartWorker(new WorkerOptions { StorageRoot = folder, MaxJobs = 1, WorkerId = "bench-worker" }, device, logging.CreateLogger("bench.worker"));
        await cluster.WorkerDone;
        var status = await cluster.Grains.GetGrain<IJobGrain>(jobId).GetStatus();
        if (status?.State != JobState.Completed)
            throw new InvalidOperationException($"benchmark job ended {status?.State}: {status?.Error}");
        var series = await cluster.Grains.GetGrain<IDashboardGrain>(jobId).GetSeries();
        var (steps, seconds) = Steady(series.Select(p => (p.Step, p.At)).ToList());
        return new Round("through the cluster", steps, seconds, clock.Elapsed.TotalSeconds, ModelHash(status.Checkpoint));
    }

    private (long Steps, double Seconds) Steady(IReadOnlyList<(long Step, DateTimeOffset At)> reports)
    {
        var first = reports.First(r => r.Step >= FirstTimedStep);
        var last = reports[^1];
        return (last.Step - first.Step, (last.At - first.At).TotalSeconds);
    }

    /// <summary>When each step was reported: progress and complete checkpoints, as the worker's reporter sends them to the job.</summary>
    private sealed class ReportTimes(List<(long Step, DateTimeOffset At)> reports) : TrainingCallback
    {
        public override void ProgressLogged(TrainingState state, TrainingProgress progress) => reports.Add((progress.Step, DateTimeOffset.UtcNow));

        public override void CheckpointSaved(TrainingState state, SavedCheckpoint checkpoint)
        {
            if (checkpoint.Progress is not null) reports.Add((checkpoint.Step, DateTimeOffset.UtcNow));
        }
    }

    private static string ModelHash(string? checkpoint) =>
        checkpoint is null ? "-" : CheckpointReader.Open(checkpoint).Manifest.Files[CheckpointFiles.Model].Sha256;
}
