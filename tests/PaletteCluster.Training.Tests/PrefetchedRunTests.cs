using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Checkpoints;
using PaletteCluster.Testing;

namespace PaletteCluster.Training.Tests;

/// <summary>Prefetching changes when batches are made, never which: runs end bit for bit where in-line runs end.</summary>
public class PrefetchedRunTests
{
    private const long Steps = 20;

    [Fact]
    public void PrefetchedRunAndAStoppedAndResumedOneEndBitForBitLikeAnInLineRun()
    {
        var root = RealPhotos.NewTempDir("pc-prefetch-run");
        var data = RealPhotos.CopyTo(Path.Combine(root, "images"), 5); // 5 photos, batches of 4: batches straddle epochs

        var inLine = Run(data, Path.Combine(root, "inline"), prefetch: 0);
        var prefetched = Run(data, Path.Combine(root, "prefetched"), prefetch: 2);
        var stopped = Run(data, Path.Combine(root, "resumed"), prefetch: 2, stopAtStep: 8);
        var resumed = Run(data, Path.Combine(root, "resumed"), prefetch: 2);

        Assert.True(stopped.Cancelled);
        Assert.Equal(8, stopped.Step);
        Assert.Equal(12, resumed.StepsRun);
        foreach (var result in new[] { inLine, prefetched, resumed }) Assert.Equal(Steps, result.Step);
        var expected = Fingerprint(inLine.LastCheckpoint!);
        Assert.Equal(expected, Fingerprint(prefetched.LastCheckpoint!));
        Assert.Equal(expected, Fingerprint(resumed.LastCheckpoint!));
    }

    private static TrainingRun.Result Run(string data, string runDir, int prefetch, long? stopAtStep = null)
    {
        var options = new TrainingRunOptions
        {
            DataDir = data, RunDir = runDir, TotalSteps = Steps, CheckpointEvery = 5, ReportEvery = 1, Samples = 0,
            PrefetchDepth = prefetch, Resume = true,
        };
        using var stop = new CancellationTokenSource();
        var stopper = new CallbackHooks { OnStepEnd = s => { if (s.Step == stopAtStep) stop.Cancel(); } };
        return new TrainingRun(TrainerFixture.Tiny(), options, TrainerFixture.Cpu, NullLogger.Instance).Run([stopper], stop.Token);
    }

    /// <summary>SHA-256 of the weights, EMA and optimizer files, plus the saved data position.</summary>
    private static string Fingerprint(string checkpoint)
    {
        var files = new[] { CheckpointFiles.Model, CheckpointFiles.Ema, CheckpointFiles.Optimizer }
            .Select(f => $"{f}={Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(checkpoint, f))))}");
        var position = CheckpointReader.Open(checkpoint).Manifest.DataPosition.ToJsonString();
        return string.Join("; ", files) + $"; data={position}";
    }
}
