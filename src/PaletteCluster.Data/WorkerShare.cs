namespace PaletteCluster.Data;

/// <summary>
/// Splits one global sample stream among workers. A global step takes the next <c>globalBatch</c> samples of the
/// (seed, epoch) order; worker <c>rank</c> of <c>worldSize</c> takes its contiguous slice of them. The stream and
/// the position (a single global <see cref="DataPosition"/>) do not depend on the worker count, so a job can
/// resume on a different number of workers and still see every sample exactly once per epoch.
/// </summary>
public sealed class WorkerShare
{
    private readonly EpochSampler _sampler;

    public WorkerShare(EpochSampler sampler, int globalBatch, int rank, int worldSize)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "worldSize must be at least 1");
        if (rank < 0 || rank >= worldSize) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in 0..{worldSize - 1}");
        if (globalBatch < worldSize || globalBatch % worldSize != 0)
            throw new ArgumentException($"global batch {globalBatch} must be a positive multiple of the worker count {worldSize}", nameof(globalBatch));
        _sampler = sampler;
        GlobalBatch = globalBatch;
        Rank = rank;
        WorldSize = worldSize;
    }

    public int GlobalBatch { get; }
    public int Rank { get; }
    public int WorldSize { get; }
    public int LocalBatch => GlobalBatch / WorldSize;

    /// <summary>This worker's samples for the global step starting at <paramref name="position"/>, and where the next step starts.</summary>
    public (IReadOnlyList<SampleRef> Samples, DataPosition Next) Step(DataPosition position)
    {
        var step = _sampler.From(position).Take(GlobalBatch).ToList();
        var next = _sampler.Advance(step[^1].Position);
        return (step.GetRange(Rank * LocalBatch, LocalBatch), next);
    }
}
