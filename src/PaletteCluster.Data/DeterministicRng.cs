namespace PaletteCluster.Data;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny PRNG whose output is fixed by this code, unlike System.Random.
/// A mutable struct: pass by <c>ref</c>. Streams for (seed, epoch, index, purpose) come from <see cref="Derive"/>.
/// </summary>
public struct DeterministicRng
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    public DeterministicRng(ulong seed) => _state = seed;

    /// <summary>The current state; <c>new DeterministicRng(State)</c> continues the same stream.</summary>
    public readonly ulong State => _state;

    /// <summary>The SplitMix64 finaliser: a bijective 64-bit mix.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>An independent stream keyed by a seed and any number of integers (order matters).</summary>
    public static DeterministicRng Derive(ulong seed, params ReadOnlySpan<ulong> keys)
    {
        ulong h = Mix(seed + Gamma);
        foreach (var k in keys) h = Mix(h ^ Mix(k + Gamma));
        return new DeterministicRng(h);
    }

    /// <summary>The per-sample stream for (seed, epoch, index): the same sample gets the same augmentation on resume.</summary>
    public static DeterministicRng ForSample(ulong seed, long epoch, long index) =>
        Derive(seed, StreamSample, unchecked((ulong)epoch), unchecked((ulong)index));

    /// <summary>Purpose tags so that streams for different uses never coincide.</summary>
    public const ulong StreamPermutation = 0x7065726D; // "perm"
    public const ulong StreamSample = 0x73616D70;      // "samp"

    public ulong NextUInt64()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, maxExclusive), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        ulong range = (ulong)maxExclusive;
        ulong threshold = (0UL - range) % range;
        while (true)
        {
            ulong high = Math.BigMul(NextUInt64(), range, out ulong low);
            if (low >= threshold) return (int)high;
        }
    }

    /// <summary>Uniform in [0,1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool NextBool() => (NextUInt64() >> 63) != 0;
}
