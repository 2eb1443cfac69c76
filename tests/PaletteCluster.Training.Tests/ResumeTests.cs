using PaletteCluster.CheckpointFormat;
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
        var config = TrainerFixture.Tiny() with { Dropout = 0.1 }; // dropout exercises the dropout generator's state
        var dir = Path.Combine(RealPhotos.NewTempDir("pc-resume"), "step");

        using var straight = new PaletteTrainer(config, TrainerFixture.Cpu);
        for (int i = 0; i < 3; i++) straight.TrainStep(batch.Condition, batch.Target).Dispose();
        CheckpointWriter.Write(dir, TrainerCheckpoint.Capture(straight, new DataPosition(1, 2)));
        for (int i = 0; i < 3; i++) straight.TrainStep(batch.Condition, batch.Target).Dispose();

        manual_seed(999); // a fresh process would start with other global RNG state, which must not matter
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
    public void ACheckpointFromBeforeTheDropoutGeneratorContinuesItsDropoutStream()
    {
        // Such checkpoints hold no "dropout" state but the process-wide CPU generator ("torch_cpu_global") that their
        // dropout drew from; on the CPU it must become the dropout generator's state.
        using var batch = TrainerFixture.RealBatch(4);
        var config = TrainerFixture.Tiny() with { Dropout = 0.3 };
        var dir = Path.Combine(RealPhotos.NewTempDir("pc-resume"), "step");

        using var straight = new PaletteTrainer(config, TrainerFixture.Cpu);
        straight.TrainStep(batch.Condition, batch.Target).Dispose();
        var content = TrainerCheckpoint.Capture(straight, DataPosition.Start);
        Assert.True(content.RngStates!.ContainsKey("dropout"));
        var legacyRng = content.RngStates!.Where(r => r.Key != "dropout")
            .Append(new KeyValuePair<string, byte[]>("torch_cpu_global", content.RngStates!["dropout"]))
            .ToDictionary(r => r.Key, r => r.Value);
        CheckpointWriter.Write(dir, content with { RngStates = legacyRng });
        for (int i = 0; i < 2; i++) straight.TrainStep(batch.Condition, batch.Target).Dispose();

        using var resumed = new PaletteTrainer(config with { Seed = 1 }, TrainerFixture.Cpu); // its own dropout stream differs
        TrainerCheckpoint.Restore(resumed, CheckpointReader.Open(dir));
        for (int i = 0; i < 2; i++) resumed.TrainStep(batch.Condition, batch.Target).Dispose();

        AssertSame(straight.Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter),
                   resumed.Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter), "parameters");
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
