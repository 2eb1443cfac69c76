using PaletteCluster.Data;
using PaletteCluster.Recipes;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Tests;

/// <summary>
/// Trainers take nothing from libtorch's process-wide generator: weights, dropout and noise each come from a
/// generator of the trainer's own, so trainers running side by side (parallel test classes, a worker with several
/// jobs) follow exactly the trajectory each follows alone.
/// </summary>
public class TrainerIsolationTests
{
    private const int Steps = 4;

    [Fact]
    public async Task TwoTrainersSteppedAtTheSameTimeOnTwoThreadsEqualEachTrainedAlone()
    {
        using var batch = TrainerFixture.RealBatch(2);
        // Dropout on, so masks are drawn; the second trainer runs bf16, whose forward pass is a replica network.
        var configs = new[]
        {
            TrainerFixture.Tiny(seed: 1, batch: 2) with { Dropout = 0.2 },
            TrainerFixture.Tiny(seed: 2, batch: 2) with { Dropout = 0.2, Precision = PrecisionMode.Bf16 },
        };

        var alone = configs.Select(c => Train(c, batch, betweenSteps: null)).ToArray();

        // Both threads step together (the barrier lines their steps up); the process-wide generator is drawn from
        // and re-seeded in between, as other code in the process would.
        using var together = new Barrier(configs.Length);
        var side = configs.Select((c, i) => Task.Factory.StartNew(
            () => Train(c, batch, betweenSteps: step =>
            {
                together.SignalAndWait();
                if (i == 0) manual_seed(1000 + step).Dispose();
                else rand(1000).Dispose();
            }),
            TaskCreationOptions.LongRunning)).ToArray();
        var sideBySide = await Task.WhenAll(side);

        for (int i = 0; i < configs.Length; i++)
        {
            var (lossesAlone, stateAlone) = alone[i];
            var (lossesSide, stateSide) = sideBySide[i];
            Assert.Equal(lossesAlone.Select(BitConverter.SingleToInt32Bits), lossesSide.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(stateAlone.Keys.Order(), stateSide.Keys.Order());
            var differing = stateAlone.Keys.Where(k => !TrainerFixture.BitwiseEqual(stateAlone[k], stateSide[k])).ToList();
            Assert.True(differing.Count == 0, $"trainer {i}: {string.Join(", ", differing.Take(5))} differ from the run alone");
        }
        Assert.NotEqual(alone[0].Losses, alone[1].Losses); // different seeds: two different runs were compared
        foreach (var run in alone.Concat(sideBySide))
            foreach (var t in run.State.Values) t.Dispose();
    }

    [Fact]
    public void TheSameSeedGivesTheSameStartWhateverTheProcessDrewBefore()
    {
        using var first = new PaletteTrainer(TrainerFixture.Tiny(seed: 5), TrainerFixture.Cpu);
        manual_seed(77).Dispose();
        rand(1000).Dispose();
        using var second = new PaletteTrainer(TrainerFixture.Tiny(seed: 5), TrainerFixture.Cpu);
        using var other = new PaletteTrainer(TrainerFixture.Tiny(seed: 6), TrainerFixture.Cpu);

        var a = first.Network.named_parameters().ToList();
        var b = second.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var c = other.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(a, p => Assert.True(TrainerFixture.BitwiseEqual(p.parameter, b[p.name]), $"{p.name} differs for the same seed"));
        Assert.False(TrainerFixture.BitwiseEqual(a.Single(p => p.name == "input_conv.weight").parameter, c["input_conv.weight"]),
            "seeds 5 and 6 gave the same input convolution");
    }

    /// <summary>Steps a fresh trainer; returns each step's loss and the final weights, EMA and Adam moments (copies).</summary>
    private static (List<float> Losses, Dictionary<string, Tensor> State) Train(TrainConfig config, PairBatch batch, Action<int>? betweenSteps)
    {
        using var trainer = new PaletteTrainer(config, TrainerFixture.Cpu);
        var losses = new Tensor[Steps];
        for (int step = 0; step < Steps; step++)
        {
            betweenSteps?.Invoke(step);
            losses[step] = trainer.TrainStep(batch.Condition, batch.Target);
        }
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, p) in trainer.Network.named_parameters()) state[$"model/{name}"] = p.detach().clone();
        foreach (var (name, t) in trainer.Ema.StateTensors()) state[$"ema/{name}"] = t.detach().clone();
        foreach (var (name, t) in trainer.Optimizer.StateTensors()) state[$"adam/{name}"] = t.detach().clone();
        var values = losses.Select(l => l.item<float>()).ToList();
        foreach (var l in losses) l.Dispose();
        return (values, state);
    }
}
