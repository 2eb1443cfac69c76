namespace PaletteCluster.Data.Tasks;

/// <summary>Standard normal draws from a <see cref="DeterministicRng"/> (Box-Muller, both outputs used).</summary>
public static class GaussianNoise
{
    /// <summary>Fills <paramref name="destination"/> with N(0, sigma^2) values.</summary>
    public static void Fill(Span<float> destination, double sigma, ref DeterministicRng rng)
    {
        for (int i = 0; i < destination.Length; i += 2)
        {
            // 1 - u lies in (0,1], so the log is finite.
            double r = Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble()));
            double theta = 2.0 * Math.PI * rng.NextDouble();
            destination[i] = (float)(sigma * r * Math.Cos(theta));
            if (i + 1 < destination.Length) destination[i + 1] = (float)(sigma * r * Math.Sin(theta));
        }
    }
}
