using PaletteCluster.Data;

namespace PaletteCluster.Data.Tests;

public class WorkerShareTests
{
    private static readonly EpochSampler Sampler = new(count: 30, seed: 11);

    /// <summary>Runs <paramref name="steps"/> global steps with every worker and returns what each drew, in order.</summary>
    private static (List<SampleRef> Drawn, DataPosition Next) Run(int worldSize, DataPosition start, int steps, int globalBatch = 6)
    {
        var drawn = new List<SampleRef>();
        var position = start;
        for (int s = 0; s < steps; s++)
        {
            DataPosition next = position;
            for (int rank = 0; rank < worldSize; rank++)
            {
                var (samples, n) = new WorkerShare(Sampler, globalBatch, rank, worldSize).Step(position);
                drawn.AddRange(samples);
                next = n;
            }
            position = next;
        }
        return (drawn, position);
    }

    [Fact]
    public void OneAndThreeWorkersCoverTheSameSamplesExactlyOncePerEpoch()
    {
        var (one, _) = Run(1, DataPosition.Start, steps: 5);   // 5 x 6 = one epoch of 30
        var (three, _) = Run(3, DataPosition.Start, steps: 5);
        Assert.Equal(Enumerable.Range(0, 30), one.Select(s => s.ItemIndex).Order());
        Assert.Equal(one.Select(s => (s.Position.Epoch, s.Position.Index)).Order(), three.Select(s => (s.Position.Epoch, s.Position.Index)).Order());
        Assert.Equal(one.Select(s => s.ItemIndex).Order(), three.Select(s => s.ItemIndex).Order());
        Assert.All(three, s => Assert.Equal(0, s.Position.Epoch));
    }

    [Fact]
    public void ResumingOnAnotherWorkerCountContinuesTheSameStream()
    {
        var (all, _) = Run(1, DataPosition.Start, steps: 8);         // crosses into epoch 1
        var (firstPart, position) = Run(3, DataPosition.Start, steps: 3);
        var (secondPart, _) = Run(2, position, steps: 5);             // resumed on 2 workers
        Assert.Equal(all.Select(s => (s.Position, s.ItemIndex)).ToHashSet(),
                     firstPart.Concat(secondPart).Select(s => (s.Position, s.ItemIndex)).ToHashSet());
        Assert.Equal(all.Count, firstPart.Count + secondPart.Count);
    }

    [Fact]
    public void InvalidSharesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new WorkerShare(Sampler, 7, 0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerShare(Sampler, 6, 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerShare(Sampler, 6, 0, 0));
    }
}
