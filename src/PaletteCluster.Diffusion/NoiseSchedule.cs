using System.Collections.ObjectModel;
using PaletteCluster.Recipes;

namespace PaletteCluster.Diffusion;

/// <summary>
/// The tables of a noise schedule, computed on the host in double precision because gamma_t
/// sits within 1e-6 of 1 at the start of Palette's training schedule, below float32 resolution of 1 - gamma.
/// Every table has length T; step t (1-based, as in the paper) is at index t - 1.
/// </summary>
public sealed class NoiseSchedule
{
    private readonly double[] _betas;
    private readonly double[] _alphas;
    private readonly double[] _gammas;
    private readonly double[] _gammasPrev;
    private readonly double[] _posteriorMeanCoefY0;
    private readonly double[] _posteriorMeanCoefYt;
    private readonly double[] _posteriorVariance;

    public NoiseSchedule(NoiseScheduleSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        _betas = BetaCurves.Betas(spec);
        int n = _betas.Length;

        _alphas = new double[n];
        _gammas = new double[n];
        _gammasPrev = new double[n];
        _posteriorMeanCoefY0 = new double[n];
        _posteriorMeanCoefYt = new double[n];
        _posteriorVariance = new double[n];

        double gamma = 1.0; // gamma_0: no noise at all.
        for (int i = 0; i < n; i++)
        {
            double alpha = 1.0 - _betas[i];
            double gammaPrev = gamma;
            gamma *= alpha;
            _alphas[i] = alpha;
            _gammas[i] = gamma;
            _gammasPrev[i] = gammaPrev;

            // q(y_{t-1} | y_0, y_t): the Gaussian obtained by Bayes' rule from the forward process.
            double oneMinusGamma = 1.0 - gamma;
            _posteriorMeanCoefY0[i] = Math.Sqrt(gammaPrev) * (1.0 - alpha) / oneMinusGamma;
            _posteriorMeanCoefYt[i] = Math.Sqrt(alpha) * (1.0 - gammaPrev) / oneMinusGamma;
            _posteriorVariance[i] = (1.0 - gammaPrev) * (1.0 - alpha) / oneMinusGamma;
        }

        Betas = Array.AsReadOnly(_betas);
        Alphas = Array.AsReadOnly(_alphas);
        Gammas = Array.AsReadOnly(_gammas);
        GammasPrev = Array.AsReadOnly(_gammasPrev);
        PosteriorMeanCoefY0 = Array.AsReadOnly(_posteriorMeanCoefY0);
        PosteriorMeanCoefYt = Array.AsReadOnly(_posteriorMeanCoefYt);
        PosteriorVariance = Array.AsReadOnly(_posteriorVariance);
    }

    public NoiseSchedule(string spec) : this(NoiseScheduleSpec.Parse(spec)) { }

    public NoiseScheduleSpec Spec { get; }

    /// <summary>T, the number of steps.</summary>
    public int Steps => _betas.Length;

    /// <summary>beta_t.</summary>
    public ReadOnlyCollection<double> Betas { get; }

    /// <summary>alpha_t = 1 - beta_t.</summary>
    public ReadOnlyCollection<double> Alphas { get; }

    /// <summary>gamma_t = prod_{i &lt;= t} alpha_i.</summary>
    public ReadOnlyCollection<double> Gammas { get; }

    /// <summary>gamma_{t-1}, with gamma_0 = 1.</summary>
    public ReadOnlyCollection<double> GammasPrev { get; }

    /// <summary>sqrt(gamma_{t-1}) (1 - alpha_t) / (1 - gamma_t): weight of y_0 in the posterior mean.</summary>
    public ReadOnlyCollection<double> PosteriorMeanCoefY0 { get; }

    /// <summary>sqrt(alpha_t) (1 - gamma_{t-1}) / (1 - gamma_t): weight of y_t in the posterior mean.</summary>
    public ReadOnlyCollection<double> PosteriorMeanCoefYt { get; }

    /// <summary>(1 - gamma_{t-1}) (1 - alpha_t) / (1 - gamma_t); zero at t = 1.</summary>
    public ReadOnlyCollection<double> PosteriorVariance { get; }

    public double Beta(int t) => _betas[Index(t)];

    public double Alpha(int t) => _alphas[Index(t)];

    public double Gamma(int t) => _gammas[Index(t)];

    /// <summary>gamma_{t-1}; 1 for t = 1.</summary>
    public double GammaPrev(int t) => _gammasPrev[Index(t)];

    public override string ToString() => Spec.ToString();

    // The backing arrays, for building device tensors; internal so that no caller can mutate the schedule.
    internal double[] GammasArray => _gammas;
    internal double[] GammasPrevArray => _gammasPrev;
    internal double[] PosteriorMeanCoefY0Array => _posteriorMeanCoefY0;
    internal double[] PosteriorMeanCoefYtArray => _posteriorMeanCoefYt;
    internal double[] PosteriorVarianceArray => _posteriorVariance;

    private int Index(int t)
    {
        if (t < 1 || t > _betas.Length)
            throw new ArgumentOutOfRangeException(nameof(t), t, $"Step must lie in 1..{_betas.Length}.");
        return t - 1;
    }
}
