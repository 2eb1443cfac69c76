using PaletteCluster.Data.Tasks;

namespace PaletteCluster.Data.Tests.Tasks;

public class TaskMixTests
{
    private static TaskMix Mix() => new(
        new WeightedTask(new InpaintingTask(), 1),
        new WeightedTask(new ColorizationTask(), 2),
        new WeightedTask(new UncroppingTask(), 0.5),
        new WeightedTask(new DenoisingTask(), 0.5),
        new WeightedTask(new DeblurringTask(), 0));

    [Fact]
    public void TaskFrequencies_MatchTheWeights()
    {
        var mix = Mix();
        double[] p = [0.25, 0.5, 0.125, 0.125, 0];
        var counts = new int[5];
        var rng = TaskTestImages.Rng(77);
        const int n = 20_000;
        for (int i = 0; i < n; i++) counts[mix.DrawTaskIndex(ref rng)]++;
        for (int k = 0; k < 5; k++)
        {
            double sd = Math.Sqrt(n * p[k] * (1 - p[k]));
            Assert.InRange(counts[k], n * p[k] - 4 * sd, n * p[k] + 4 * sd);
        }
        Assert.Equal(0, counts[4]);
    }

    [Fact]
    public void TaskIndex_NamesTheTaskThatMadeTheSample_AndEverySampleHasAMask()
    {
        var mix = Mix();
        var image = TaskTestImages.Gradient(300, 200);
        var seen = new HashSet<int>();
        for (ulong seed = 0; seed < 60; seed++)
        {
            var rng = TaskTestImages.Rng(seed);
            var replay = rng;
            var m = mix.Make(image, 32, ref rng);
            seen.Add(m.TaskIndex);
            var task = mix.Tasks[m.TaskIndex].Task;
            Assert.Equal(task.Name, m.TaskName);

            // Replaying the index draw and then the named task reproduces the sample exactly.
            Assert.Equal(m.TaskIndex, mix.DrawTaskIndex(ref replay));
            var direct = task.Make(image, 32, ref replay);
            Assert.Equal(direct.Condition, m.Sample.Condition);
            Assert.Equal(direct.Target, m.Sample.Target);
            Assert.Equal(replay.State, rng.State);

            Assert.NotNull(m.Sample.Mask);
            if (task.HasMask) Assert.Equal(direct.Mask, m.Sample.Mask);
            else Assert.All(m.Sample.Mask!, v => Assert.Equal(1f, v)); // unmasked tasks: generate every pixel
        }
        Assert.Equal(new HashSet<int> { 0, 1, 2, 3 }, seen);
        Assert.True(((IImageTask)mix).HasMask);
    }

    [Fact]
    public void InvalidWeights_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => new TaskMix());
        Assert.Throws<ArgumentException>(() => new TaskMix(new WeightedTask(new ColorizationTask(), 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskMix(new WeightedTask(new ColorizationTask(), -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskMix(new WeightedTask(new ColorizationTask(), double.NaN)));
    }
}
