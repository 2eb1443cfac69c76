using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Testing;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Tests;

/// <summary>The uninterrupted run every stop-and-resume case is compared with (trained once per class).</summary>
public sealed class UninterruptedRun : IDisposable
{
    public const long TotalSteps = 12;

    public UninterruptedRun()
    {
        Root = RealPhotos.NewTempDir("pc-stop-resume");
        Data = RealPhotos.CopyTo(Path.Combine(Root, "images"), 5); // 5 photos, batches of 4: batches straddle epochs
        Outcome = Train(Data, Path.Combine(Root, "straight"));
    }

    public string Root { get; }
    public string Data { get; }
    public RunOutcome Outcome { get; }

    /// <summary>A small run that exercises every piece of state: dropout (global generator), prefetching, background checkpoints, a grid.</summary>
    public static RunOutcome Train(string data, string runDir, long? stopAt = null)
    {
        var options = new TrainingRunOptions
        {
            DataDir = data, RunDir = runDir, TotalSteps = TotalSteps, CheckpointEvery = 4, ReportEvery = 3, Resume = true,
            Samples = 2, FinalSampleSteps = 4, PrefetchDepth = 2, SynchronousCheckpoints = false,
        };
        var record = new RunRecord();
        using var stop = new CancellationTokenSource();
        var stopper = new CallbackHooks { OnStepEnd = s => { if (s.Step == stopAt) stop.Cancel(); } };
        var result = new TrainingRun(TrainerFixture.Tiny() with { Dropout = 0.1 }, options, TrainerFixture.Cpu, NullLogger.Instance)
            .Run([record, stopper], stop.Token);
        return new RunOutcome(runDir, result, record);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Stopping at step k and resuming in a fresh run ends exactly where an uninterrupted run ends, for every piece of
/// trainer state and for what every callback sees after k (Composer's resumption test): see <see cref="StateProbes"/>.
/// </summary>
public class StopResumeEquivalenceTests(UninterruptedRun straight) : IClassFixture<UninterruptedRun>
{
    // 4: right after a checkpoint was started (no stop checkpoint); 7: between checkpoints; 11: one step before the end.
    public static TheoryData<long> StopSteps => [4, 7, 11];

    [Theory]
    [MemberData(nameof(StopSteps))]
    public void StoppingAtKAndResumingEqualsTheUninterruptedRunForEveryProbe(long k)
    {
        var runDir = Path.Combine(straight.Root, $"split-{k}");
        var stopped = UninterruptedRun.Train(straight.Data, runDir, stopAt: k);
        Assert.True(stopped.Result.Cancelled);
        Assert.Equal(k, stopped.Result.Step);
        Assert.Equal(Path.Combine(runDir, "checkpoints", CheckpointFolders.StepFolderName(k)), stopped.Result.LastCheckpoint);
        // Each probe tells the stopped run from the finished one: none of them passes below by reading nothing.
        var blind = StateProbes.All.Where(p => p.Read(straight.Outcome, k) == p.Read(stopped, k)).Select(p => p.Name).ToList();
        Assert.True(blind.Count == 0, $"these probes see no difference between a run stopped at {k} and a finished one: {string.Join("; ", blind)}");

        manual_seed(4242); // a fresh process starts with other global generator state: no trainer state may depend on it
        var resumed = UninterruptedRun.Train(straight.Data, runDir);

        Assert.Equal(UninterruptedRun.TotalSteps - k, resumed.Result.StepsRun);
        var differing = StateProbes.All.Where(p => p.Read(straight.Outcome, k) != p.Read(resumed, k)).Select(p => p.Name).ToList();
        Assert.True(differing.Count == 0, $"stopped at {k} and resumed, these differ from the uninterrupted run: {string.Join("; ", differing)}");
        foreach (var probe in StateProbes.All)
            Assert.Equal(probe.Read(straight.Outcome, k), probe.Read(resumed, k)); // the first difference, in full
    }
}
