using PaletteCluster.Checkpoints;
using PaletteCluster.Data;
using PaletteCluster.Testing;
using static TorchSharp.torch;
using PaletteCluster.Recipes;

namespace PaletteCluster.Training.Tests;

/// <summary>A checkpoint carries the whole trajectory: continuing from it equals never having stopped.</summary>
public class ResumeTests
{
    [Fact]
    public void RestoredTrainerContinuesBitForBit()
    {
        using var batch = TrainerFixture.RealBatch(4);
        var config = TrainerFixture.Tiny() with { Dropout = 0.1 }; // dropout exercises the global RNG state
        var dir = Path.Combine(RealPhotos.NewTempDir("pc-resume"), "step");

        using var straight = new PaletteTrainer(config, TrainerFixture.Cpu);
        for (int i = 0; i < 3; i++) straight.TrainStep(batch.Condition, batch.Target).Dispose();
        CheckpointWriter.Write(dir, TrainerCheckpoint.Capture(straight, new DataPosition(1, 2)));
        for (int i = 0; i < 3; i++) straight.TrainStep(batch.Condition, batch.Target).Dispose();

        manual_seed(999); // a fresh process would start with other global RNG state
        using var resumed = new PaletteTrainer(config, TrainerFixture.Cpu);
        var position = TrainerCheckpoint.Restore(resumed, CheckpointReader.Open(dir));
        for (int i = 0; i < 3; i++) resumed.TrainStep(batch.Condition, batch.Target).Dispose();

        Assert.Equal(new DataPosition(1, 2), position);
        Assert.Equal(straight.Step, resumed.Step);
        AssertSame(straight.Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter),
                   resumed.Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter), "parameters");
        AssertSame(straight.Ema.StateTensors(), resumed.Ema.StateTensors(), "EMA");
        AssertSame(straight.Optimizer.StateTensors(), resumed.Optimizer.StateTensors(), "Adam moments");
    }

    [Fact]
    public void RestoreRejectsACheckpointOfAnotherNetwork()
    {
        var dir = Path.Combine(RealPhotos.NewTempDir("pc-resume"), "step");
        using (var small = new PaletteTrainer(TrainerFixture.Tiny(), TrainerFixture.Cpu))
            CheckpointWriter.Write(dir, TrainerCheckpoint.Capture(small, DataPosition.Start));
        var config = TrainerFixture.Tiny() with { Preset = UNetPreset.Small, ImageSize = 32 };
        using var other = new PaletteTrainer(config, TrainerFixture.Cpu);
        var e = Assert.Throws<CheckpointException>(() => TrainerCheckpoint.Restore(other, CheckpointReader.Open(dir)));
        Assert.Contains("shape", e.Message);
    }

    private static void AssertSame(IReadOnlyDictionary<string, Tensor> a, IReadOnlyDictionary<string, Tensor> b, string what)
    {
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        var differing = a.Keys.Where(k => !TrainerFixture.BitwiseEqual(a[k], b[k])).ToList();
        Assert.True(differing.Count == 0, $"{what} differ bitwise: {string.Join(", ", differing.Take(5))}");
    }
}
