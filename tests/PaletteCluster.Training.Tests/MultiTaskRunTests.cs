using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.Checkpoints;
using PaletteCluster.Testing;

namespace PaletteCluster.Training.Tests;

public class MultiTaskRunTests
{
    [Fact]
    public void MixedTaskRunTrainsWithMasksAndRecordsItsTaskSpec()
    {
        var root = RealPhotos.NewTempDir("pc-multitask");
        var data = RealPhotos.CopyTo(Path.Combine(root, "images"), 4);
        var config = TrainerFixture.Tiny() with { Task = "inpainting:2,uncropping,colorization" };
        var options = new TrainingRunOptions { DataDir = data, RunDir = Path.Combine(root, "run"), TotalSteps = 4, CheckpointEvery = 4, ReportEvery = 1, Samples = 2 };
        var losses = new List<double>();
        var result = new TrainingRun(config, options, TrainerFixture.Cpu, NullLogger.Instance)
            .Run([new CallbackHooks { OnProgress = p => losses.Add(p.Loss) }]);

        Assert.Equal(4, result.Step);
        Assert.Equal(4, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l) && l > 0));
        // One grid, two rows (condition | sample | target) for each of the three tasks of the mix.
        var grid = PaletteCluster.Imaging.ImageCodec.Load(result.SampleGrid!);
        int size = config.ImageSize, pad = 2;
        Assert.Equal(pad + 6 * (size + pad), grid.Height);
        Assert.Equal(pad + 3 * (size + pad), grid.Width);
        var manifest = CheckpointReader.Open(result.LastCheckpoint!).Manifest;
        Assert.Equal("inpainting:2,uncropping,colorization", manifest.Config["task"]!.GetValue<string>());
    }

    [Fact]
    public void UnknownTaskInTheSpecIsRejected()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => (TrainerFixture.Tiny() with { Task = "inpainting,painting" }).Validate());
        Assert.Contains("painting", e.Message);
    }
}
