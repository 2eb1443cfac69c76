using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Checkpoints;
using PaletteCluster.Data;
using PaletteCluster.Testing;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Tests;

/// <summary>
/// Checkpoints written in the background while training goes on: same bytes as synchronous writes, reported only
/// when complete, failures never lost, and a stopped run still resumes bit for bit.
/// </summary>
public class BackgroundCheckpointTests
{
    private static readonly string[] StateFiles = [CheckpointFiles.Model, CheckpointFiles.Ema, CheckpointFiles.Optimizer];

    [Fact]
    public void BackgroundCheckpointsHoldTheSameBytesAsSynchronousOnes()
    {
        var root = RealPhotos.NewTempDir("pc-bgckpt");
        var data = RealPhotos.CopyTo(Path.Combine(root, "images"), 4);
        var sync = Run(Options(data, Path.Combine(root, "sync"), totalSteps: 6, every: 2) with { SynchronousCheckpoints = true });
        var background = Run(Options(data, Path.Combine(root, "background"), totalSteps: 6, every: 2) with { SynchronousCheckpoints = false });

        foreach (var step in new long[] { 2, 4, 6 })
        {
            var folder = CheckpointFolders.StepFolderName(step);
            foreach (var file in StateFiles)
            {
                var expected = Sha256(Path.Combine(root, "sync", "checkpoints", folder, file));
                var actual = Sha256(Path.Combine(root, "background", "checkpoints", folder, file));
                Assert.True(expected == actual, $"{folder}/{file} differs between synchronous and background writes");
            }
        }
        Assert.Equal(Path.Combine(root, "background", "checkpoints", CheckpointFolders.StepFolderName(6)), background.LastCheckpoint);
        Assert.True(background.CheckpointStallSeconds > 0 && background.CheckpointWriteSeconds > 0);
        Assert.True(sync.CheckpointStallSeconds >= sync.CheckpointWriteSeconds, "a synchronous write stalls training for all of its time");
    }

    [Fact]
    public void EveryReportedCheckpointIsCompleteWhenReported()
    {
        var root = RealPhotos.NewTempDir("pc-bgckpt");
        var data = RealPhotos.CopyTo(Path.Combine(root, "images"), 4);
        var reported = new List<(long Step, long ReportedAfterStep, bool Complete)>();
        long newestStep = 0;
        var result = new TrainingRun(TrainerFixture.Tiny(), Options(data, Path.Combine(root, "run"), totalSteps: 7, every: 2),
                TrainerFixture.Cpu, NullLogger.Instance)
            .Run([new CallbackHooks
            {
                OnStepEnd = s => newestStep = Math.Max(newestStep, s.Step),
                OnCheckpoint = c => reported.Add((c.Step, newestStep,
                    File.Exists(Path.Combine(c.Directory, CheckpointFiles.Manifest)) && CheckpointReader.Open(c.Directory).Manifest.Step == c.Step)),
            }]);

        Assert.Equal([2L, 4, 6, 7], reported.Select(r => r.Step));
        Assert.All(reported, r => Assert.True(r.Complete, $"checkpoint of step {r.Step} was reported before it was complete"));
        Assert.True(File.Exists(Path.Combine(result.LastCheckpoint!, CheckpointFiles.Manifest)));
        Assert.Equal(7, CheckpointReader.Open(result.LastCheckpoint!).Manifest.Step);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFailedCheckpointWriteStopsTheRunNamingItsFolder(bool synchronous)
    {
        var root = RealPhotos.NewTempDir("pc-bgckpt");
        var data = RealPhotos.CopyTo(Path.Combine(root, "images"), 4);
        var options = Options(data, Path.Combine(root, "run"), totalSteps: 8, every: 2) with { SynchronousCheckpoints = synchronous };
        // A file where the step-4 folder goes: the atomic writer refuses to replace it.
        var blocked = Path.Combine(options.CheckpointsDir, CheckpointFolders.StepFolderName(4));
        Directory.CreateDirectory(options.CheckpointsDir);
        File.WriteAllText(blocked, "in the way");

        var e = Assert.Throws<CheckpointException>(() => Run(options));

        Assert.Contains(blocked, e.Message);
        Assert.True(Directory.Exists(Path.Combine(options.CheckpointsDir, CheckpointFolders.StepFolderName(2))));
        Assert.False(Directory.Exists(Path.Combine(options.CheckpointsDir, CheckpointFolders.StepFolderName(8))), "training went on to the end after a failed checkpoint");
    }

    [Fact]
    public void AnIoFailureInTheBackgroundIsRethrownWithItsTypeAndTheFolder()
    {
        var root = RealPhotos.NewTempDir("pc-bgckpt");
        var notAFolder = Path.Combine(root, "file");
        File.WriteAllText(notAFolder, "");
        var dir = Path.Combine(notAFolder, "step-00000001"); // its parent cannot be created
        using var trainer = new PaletteTrainer(TrainerFixture.Tiny(), TrainerFixture.Cpu);
        using var snapshot = new StateSnapshot();
        using var writer = new BackgroundCheckpointWriter();

        writer.Submit(dir, TrainerCheckpoint.Capture(trainer, DataPosition.Start, copyInto: snapshot));
        var result = writer.WaitForFinished()!;

        Assert.False(result.Succeeded);
        var e = Assert.ThrowsAny<IOException>(result.ThrowIfFailed);
        Assert.Contains(dir, e.Message);
    }

    [Fact]
    public void TheWriterTakesOneSnapshotAtATimeAndItsCopiesStayPutWhileTrainingGoesOn()
    {
        var root = RealPhotos.NewTempDir("pc-bgckpt");
        using var batch = TrainerFixture.RealBatch(4);
        using var trainer = new PaletteTrainer(TrainerFixture.Tiny(), TrainerFixture.Cpu);
        trainer.TrainStep(batch.Condition, batch.Target).Dispose();
        var live = Path.Combine(root, "live");
        CheckpointWriter.Write(live, TrainerCheckpoint.Capture(trainer, DataPosition.Start));
        using var snapshot = new StateSnapshot();
        using var other = new StateSnapshot();
        using var trainingWentOn = new ManualResetEventSlim();
        using var writer = new BackgroundCheckpointWriter(beforeWrite: _ => trainingWentOn.Wait());

        writer.Submit(Path.Combine(root, "copy"), TrainerCheckpoint.Capture(trainer, DataPosition.Start, copyInto: snapshot));
        Assert.Throws<InvalidOperationException>(() =>
            writer.Submit(Path.Combine(root, "second"), TrainerCheckpoint.Capture(trainer, DataPosition.Start, copyInto: other)));
        for (int i = 0; i < 2; i++) trainer.TrainStep(batch.Condition, batch.Target).Dispose();
        Assert.True(writer.IsBusy);
        Assert.Null(writer.TryTakeFinished());
        trainingWentOn.Set(); // only now does the write start: it must still see the state of the snapshot
        var result = writer.WaitForFinished()!;

        Assert.True(result.Succeeded);
        Assert.False(writer.IsBusy);
        Assert.Null(writer.WaitForFinished());
        foreach (var file in StateFiles)
            Assert.Equal(Sha256(Path.Combine(live, file)), Sha256(Path.Combine(root, "copy", file)));
    }

    [Fact]
    public void ASnapshotRefilledLaterHoldsTheNewerStateInTheSameMemory()
    {
        using var batch = TrainerFixture.RealBatch(4);
        using var trainer = new PaletteTrainer(TrainerFixture.Tiny(), TrainerFixture.Cpu);
        trainer.TrainStep(batch.Condition, batch.Target).Dispose();
        using var snapshot = new StateSnapshot();
        var first = TrainerCheckpoint.Capture(trainer, DataPosition.Start, copyInto: snapshot);
        var firstTensors = first.TensorFiles[CheckpointFiles.Optimizer].Values.ToList();
        trainer.TrainStep(batch.Condition, batch.Target).Dispose();

        var second = TrainerCheckpoint.Capture(trainer, DataPosition.Start, copyInto: snapshot);

        var live = TrainerCheckpoint.Capture(trainer, DataPosition.Start);
        foreach (var file in StateFiles)
            foreach (var (name, t) in live.TensorFiles[file])
                Assert.True(TrainerFixture.BitwiseEqual(t, second.TensorFiles[file][name]), $"{file}/{name} not refilled");
        Assert.True(firstTensors.Zip(second.TensorFiles[CheckpointFiles.Optimizer].Values).All(p => ReferenceEquals(p.First, p.Second)),
            "the snapshot was reallocated instead of refilled");
    }

    [Fact]
    public void ARunStoppedMidwayResumesToBitwiseTheSameState()
    {
        var root = RealPhotos.NewTempDir("pc-bgckpt");
        var data = RealPhotos.CopyTo(Path.Combine(root, "images"), 4);
        var config = TrainerFixture.Tiny() with { Dropout = 0.1 }; // dropout exercises the dropout generator's state
        var straight = new TrainingRun(config, Options(data, Path.Combine(root, "straight"), totalSteps: 9, every: 3), TrainerFixture.Cpu, NullLogger.Instance).Run();

        var splitOptions = Options(data, Path.Combine(root, "split"), totalSteps: 9, every: 3);
        using var stop = new CancellationTokenSource();
        manual_seed(123); // whatever the process-wide generator holds must not change the trajectory
        var first = new TrainingRun(config, splitOptions, TrainerFixture.Cpu, NullLogger.Instance)
            .Run([new CallbackHooks { OnStepEnd = s => { if (s.Step == 5) stop.Cancel(); } }], stop.Token);
        Assert.True(first.Cancelled);
        Assert.Equal(5, first.Step);
        Assert.Equal(Path.Combine(splitOptions.CheckpointsDir, CheckpointFolders.StepFolderName(5)), first.LastCheckpoint);
        Assert.True(Directory.Exists(Path.Combine(splitOptions.CheckpointsDir, CheckpointFolders.StepFolderName(3))));

        manual_seed(456);
        var second = new TrainingRun(config, splitOptions with { Resume = true }, TrainerFixture.Cpu, NullLogger.Instance).Run();

        Assert.Equal(9, second.Step);
        foreach (var file in StateFiles)
            Assert.True(Sha256(Path.Combine(straight.LastCheckpoint!, file)) == Sha256(Path.Combine(second.LastCheckpoint!, file)),
                $"{file} after stop + resume differs from the uninterrupted run");
    }

    [Fact]
    public void AResumeWithNothingLeftToDoNamesTheCheckpointItResumedFromAndWritesNothing()
    {
        var root = RealPhotos.NewTempDir("pc-bgckpt");
        var data = RealPhotos.CopyTo(Path.Combine(root, "images"), 3);
        var done = Run(Options(data, Path.Combine(root, "run"), totalSteps: 4, every: 2));
        var final = done.LastCheckpoint!;

        // A worker given a job whose store already holds its last step: it resumes there and has no step to take.
        var again = Run(Options(data, Path.Combine(root, "run"), totalSteps: 4, every: 2) with { ResumeFrom = final });
        Assert.Equal((4L, 0L, false, final), (again.Step, again.StepsRun, again.Cancelled, again.LastCheckpoint));

        // Stopped before its first step: no checkpoint is written over the one it resumed from.
        using var stopped = new CancellationTokenSource();
        stopped.Cancel();
        var early = new TrainingRun(TrainerFixture.Tiny(), Options(data, Path.Combine(root, "run"), totalSteps: 8, every: 2) with { ResumeFrom = final },
            TrainerFixture.Cpu, NullLogger.Instance).Run(cancel: stopped.Token);
        Assert.Equal((4L, 0L, true, final), (early.Step, early.StepsRun, early.Cancelled, early.LastCheckpoint));
    }

    private static TrainingRunOptions Options(string data, string runDir, long totalSteps, long every) => new()
    {
        DataDir = data, RunDir = runDir, TotalSteps = totalSteps, CheckpointEvery = every, ReportEvery = 1, Samples = 0,
    };

    private static TrainingRun.Result Run(TrainingRunOptions options) =>
        new TrainingRun(TrainerFixture.Tiny(), options, TrainerFixture.Cpu, NullLogger.Instance).Run();

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
