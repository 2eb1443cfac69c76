using PaletteCluster.Recipes;

namespace PaletteCluster.Diffusion;

/// <summary>The beta sequence of each <see cref="ScheduleKind"/>, in double precision.</summary>
internal static class BetaCurves
{
    // Offset of the cosine curve, so that beta_1 is not vanishingly small (Nichol and Dhariwal 2021).
    private const double CosineOffset = 0.008;
    // Cap for cosine betas: the curve's last steps would otherwise reach beta = 1 (gamma = 0).
    private const double MaxCosineBeta = 0.999;

    public static double[] Betas(NoiseScheduleSpec spec) => spec.Kind switch
    {
        ScheduleKind.Linear => Linspace(spec.Start, spec.End, spec.Steps),
        ScheduleKind.Quadratic => Linspace(Math.Sqrt(spec.Start), Math.Sqrt(spec.End), spec.Steps).Select(b => b * b).ToArray(),
        ScheduleKind.Cosine => Cosine(spec.Steps),
        ScheduleKind.Warmup10 => Warmup(spec, 0.1),
        ScheduleKind.Warmup50 => Warmup(spec, 0.5),
        ScheduleKind.Constant => Enumerable.Repeat(spec.End, spec.Steps).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "Unknown schedule kind."),
    };

    /// <summary>numpy.linspace: n points from start to end inclusive (just start when n = 1).</summary>
    internal static double[] Linspace(double start, double end, int n)
    {
        var values = new double[n];
        if (n == 1)
        {
            values[0] = start;
            return values;
        }
        double step = (end - start) / (n - 1);
        for (int i = 0; i < n; i++)
            values[i] = start + i * step;
        values[n - 1] = end; // exact endpoint, free of accumulated rounding
        return values;
    }

    private static double[] Cosine(int steps)
    {
        static double GammaBar(double s) => Math.Pow(Math.Cos((s + CosineOffset) / (1 + CosineOffset) * Math.PI / 2), 2);
        var betas = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            double t1 = (double)i / steps, t2 = (double)(i + 1) / steps;
            betas[i] = Math.Min(1 - GammaBar(t2) / GammaBar(t1), MaxCosineBeta);
        }
        return betas;
    }

    // As DDPM's _warmup_beta: the rise covers int(T * fraction) steps, the rest stays at End.
    private static double[] Warmup(NoiseScheduleSpec spec, double fraction)
    {
        var betas = Enumerable.Repeat(spec.End, spec.Steps).ToArray();
        int warmup = (int)(spec.Steps * fraction);
        var rise = Linspace(spec.Start, spec.End, warmup);
        Array.Copy(rise, betas, warmup);
        return betas;
    }
}
