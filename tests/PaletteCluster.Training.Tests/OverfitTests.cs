using PaletteCluster.Diffusion;
using static TorchSharp.torch;
using Xunit.Abstractions;
using PaletteCluster.Recipes;

namespace PaletteCluster.Training.Tests;

public class OverfitTests(ITestOutputHelper output)
{
    [Fact]
    public void TinyModelOverfitsAFixedBatchOfRealPhotoPairs()
    {
        using var batch = TrainerFixture.RealBatch(4);
        var config = TrainerFixture.Tiny();
        using var trainer = new PaletteTrainer(config, TrainerFixture.Cpu);

        double before = EvalLoss(trainer, batch.Condition, batch.Target);
        for (int i = 0; i < 250; i++) trainer.TrainStep(batch.Condition, batch.Target).Dispose();
        double after = EvalLoss(trainer, batch.Condition, batch.Target);

        output.WriteLine($"eval loss before {before:F4}, after 250 steps {after:F4} ({before / after:F1}x lower)");
        Assert.True(double.IsFinite(after));
        Assert.True(after * 5 <= before, $"loss fell only from {before:F4} to {after:F4} (needs at least 5x)");
    }

    /// <summary>Mean L1 noise loss of the raw weights over fixed noise draws, so before/after are comparable.</summary>
    private static double EvalLoss(PaletteTrainer trainer, Tensor condition, Tensor target)
    {
        using var _ = no_grad();
        using var gen = new Generator(123, CPU);
        using var diffusion = PaletteFactory.CreateDiffusion(trainer.Config);
        var predictor = PaletteFactory.AsNoisePredictor(trainer.Network);
        trainer.Network.eval();
        double sum = 0;
        const int draws = 16;
        for (int i = 0; i < draws; i++)
        {
            using var loss = diffusion.TrainingLoss(predictor, condition, target, null, LossKind.L1, gen);
            sum += loss.item<float>();
        }
        return sum / draws;
    }
}
