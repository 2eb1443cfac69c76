using PaletteCluster.Training.Precision;
using static TorchSharp.torch;
using PaletteCluster.Recipes;

namespace PaletteCluster.Training.Tests;

public class PrecisionTests
{
    [Fact]
    public void Bf16TrainingKeepsFp32MasterWeightsAndLearns()
    {
        using var batch = TrainerFixture.RealBatch(2);
        var config = TrainerFixture.Tiny(batch: 2) with { Precision = PrecisionMode.Bf16 };
        using var trainer = new PaletteTrainer(config, TrainerFixture.Cpu);
        var losses = new List<float>();
        for (int i = 0; i < 24; i++)
        {
            using var loss = trainer.TrainStep(batch.Condition, batch.Target);
            losses.Add(loss.item<float>());
        }
        Assert.All(trainer.Network.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(trainer.Optimizer.StateTensors().Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        Assert.True(losses.TakeLast(6).Average() < 0.85 * losses.Take(6).Average(),
            $"bf16 training did not learn: first {losses.Take(6).Average():F3}, last {losses.TakeLast(6).Average():F3}");
    }

    [Fact]
    public void Bf16GradientsPointTheSameWayAsFp32()
    {
        using var batch = TrainerFixture.RealBatch(2);
        var fp32 = FirstGradient(TrainerFixture.Tiny(batch: 2), batch);
        var bf16 = FirstGradient(TrainerFixture.Tiny(batch: 2) with { Precision = PrecisionMode.Bf16 }, batch);
        double cosine = (fp32 * bf16).sum().item<float>() / (fp32.norm().item<float>() * bf16.norm().item<float>());
        Assert.True(cosine > 0.98, $"cosine similarity of the first gradients is {cosine:F4}");
    }

    /// <summary>The flattened fp32 master gradient after one step's backward (before Adam mutates weights).</summary>
    private static Tensor FirstGradient(TrainConfig config, PaletteCluster.Data.PairBatch batch)
    {
        using var trainer = new PaletteTrainer(config with { LearningRate = 1e-12, WarmupSteps = 0 }, TrainerFixture.Cpu);
        trainer.TrainStep(batch.Condition, batch.Target).Dispose();
        return cat(trainer.Network.parameters().Select(p => p.grad!.flatten()).ToArray()).detach().clone();
    }
}
