namespace PaletteCluster.Data;

/// <summary>Where a data stream stands: the next sample to draw is item <see cref="Index"/> of epoch <see cref="Epoch"/>'s order.</summary>
public readonly record struct DataPosition(long Epoch, long Index)
{
    public static DataPosition Start => new(0, 0);

    public override string ToString() => $"epoch {Epoch}, index {Index}";
}

/// <summary>One element of the sample stream: its position and the dataset item it draws.</summary>
public readonly record struct SampleRef(DataPosition Position, int ItemIndex);

/// <summary>
/// The order of <see cref="Count"/> items in each epoch, a pure function of (seed, epoch): a Fisher–Yates shuffle
/// driven by <see cref="DeterministicRng"/> (or the identity when <c>shuffle</c> is false, e.g. for evaluation).
/// Stateless apart from a one-epoch cache, so any position can be resumed exactly.
/// </summary>
public sealed class EpochSampler
{
    public int Count { get; }
    public ulong Seed { get; }
    public bool Shuffle { get; }

    private long _cachedEpoch = -1;
    private int[]? _cached;

    public EpochSampler(int count, ulong seed, bool shuffle = true)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), "An epoch needs at least one item.");
        Count = count;
        Seed = seed;
        Shuffle = shuffle;
    }

    /// <summary>A fresh array: the item indices of <paramref name="epoch"/> in draw order.</summary>
    public int[] Permutation(long epoch) => (int[])Order(epoch).Clone();

    /// <summary>The item drawn at <paramref name="position"/> (after <see cref="Normalize"/>).</summary>
    public int ItemAt(DataPosition position)
    {
        var p = Normalize(position);
        return Order(p.Epoch)[p.Index];
    }

    /// <summary>Validates a position; an index equal to <see cref="Count"/> means the start of the next epoch.</summary>
    public DataPosition Normalize(DataPosition position)
    {
        if (position.Epoch < 0 || position.Index < 0 || position.Index > Count)
            throw new ArgumentOutOfRangeException(nameof(position),
                $"Position ({position}) is invalid for an epoch of {Count} items.");
        return position.Index == Count ? new DataPosition(position.Epoch + 1, 0) : position;
    }

    /// <summary>The position after <paramref name="position"/>.</summary>
    public DataPosition Advance(DataPosition position)
    {
        var p = Normalize(position);
        return Normalize(p with { Index = p.Index + 1 });
    }

    /// <summary>The endless stream of samples starting at <paramref name="start"/>.</summary>
    public IEnumerable<SampleRef> From(DataPosition start)
    {
        var p = Normalize(start);
        while (true)
        {
            yield return new SampleRef(p, Order(p.Epoch)[p.Index]);
            p = Advance(p);
        }
    }

    private int[] Order(long epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch));
        if (_cached is not null && _cachedEpoch == epoch) return _cached;
        var order = new int[Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (Shuffle)
        {
            var rng = DeterministicRng.Derive(Seed, DeterministicRng.StreamPermutation, unchecked((ulong)epoch));
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rng.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        _cached = order;
        _cachedEpoch = epoch;
        return order;
    }
}
