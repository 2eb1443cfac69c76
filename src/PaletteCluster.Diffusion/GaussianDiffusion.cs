using TorchSharp;
using static TorchSharp.torch;
using PaletteCluster.Recipes;

namespace PaletteCluster.Diffusion;

/// <summary>
/// The forward (noising) process of Palette and its training objective, for one training schedule.
/// Knows nothing of the network, which comes in as a <see cref="NoisePredictor"/>.
/// All randomness comes from the <see cref="torch.Generator"/> passed in, so a run is reproducible and resumable.
/// </summary>
public sealed class GaussianDiffusion : IDisposable
{
    // gamma_{t-1} and gamma_t tables per device, built once: every training step indexes them.
    private readonly Dictionary<string, (Tensor GammaPrev, Tensor Gamma)> _tables = new();

    public GaussianDiffusion(NoiseSchedule schedule)
    {
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
    }

    /// <summary>The training schedule: where noise levels are drawn from.</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>
    /// y~ = sqrt(gamma) y0 + sqrt(1 - gamma) eps, with one gamma per batch item (shape (B), any float dtype).
    /// The coefficients are formed in double, since 1 - gamma can be below float32 resolution.
    /// </summary>
    public Tensor QSample(Tensor y0, Tensor gamma, Tensor noise)
    {
        CheckBatch(gamma, y0, nameof(gamma));
        using var scope = NewDisposeScope();
        using var k = new HeldScalars();
        var g = gamma.to_type(ScalarType.Float64);
        var signal = Broadcast.PerItem(g.sqrt().to_type(y0.dtype), y0);
        var spread = Broadcast.PerItem(OneMinus(g, k).sqrt().to_type(y0.dtype), y0);
        return (signal * y0).add(spread * noise, k.One).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Draws t ~ U{1..T} and then gamma ~ U(gamma_t, gamma_{t-1}): a continuous noise level, so the network
    /// learns every level and any inference schedule can be used later. Returns t (int64, 1-based) and gamma
    /// (float64, full precision); draws t first, then the uniforms, both from <paramref name="gen"/>.
    /// </summary>
    public (Tensor T, Tensor Gamma) SampleTimestepsAndNoiseLevels(long batch, torch.Generator gen, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1L);
        ArgumentNullException.ThrowIfNull(gen);
        using var scope = NewDisposeScope();
        using var k = new HeldScalars();
        var t = randint(1, Schedule.Steps + 1, new[] { batch }, dtype: ScalarType.Int64, device: device, generator: gen);
        var u = rand(new[] { batch }, dtype: ScalarType.Float64, device: device, generator: gen);
        var index = t.sub(k.One);
        var tables = TablesOn(device);
        var gammaPrev = tables.GammaPrev.index_select(0, index);
        var gammaT = tables.Gamma.index_select(0, index);
        var gamma = gammaPrev.add(u * (gammaT - gammaPrev), k.One);
        return (t.MoveToOuterDisposeScope(), gamma.MoveToOuterDisposeScope());
    }

    /// <summary>Draws the noise levels gamma (shape (B), float32) as <see cref="SampleTimestepsAndNoiseLevels"/> does.</summary>
    public Tensor SampleNoiseLevel(long batch, torch.Generator gen, Device device)
    {
        var (t, gamma) = SampleTimestepsAndNoiseLevels(batch, gen, device);
        using (t)
        using (gamma)
            return gamma.to_type(ScalarType.Float32);
    }

    /// <summary>
    /// q(y_{t-1} | y0, y_t) = N(mean, variance) for 1-based steps t (int64, shape (B)) of the training schedule.
    /// The variance comes back shaped (B, 1, ..., 1), ready to broadcast.
    /// </summary>
    public (Tensor Mean, Tensor Variance) QPosteriorMeanVariance(Tensor y0, Tensor yt, Tensor t)
    {
        CheckBatch(t, y0, nameof(t));
        using var scope = NewDisposeScope();
        using var k = new HeldScalars();
        var index = t.to_type(ScalarType.Int64).sub(k.One);
        Tensor Column(double[] table) => Broadcast.PerItem(
            tensor(table, dtype: ScalarType.Float64, device: y0.device).index_select(0, index).to_type(y0.dtype), y0);
        var mean = (Column(Schedule.PosteriorMeanCoefY0Array) * y0).add(Column(Schedule.PosteriorMeanCoefYtArray) * yt, k.One);
        var variance = Column(Schedule.PosteriorVarianceArray);
        return (mean.MoveToOuterDisposeScope(), variance.MoveToOuterDisposeScope());
    }

    /// <summary>q(y_{t-1} | y0, y_t) with the same step t for every batch item.</summary>
    public (Tensor Mean, Tensor Variance) QPosteriorMeanVariance(Tensor y0, Tensor yt, int t)
    {
        if (t < 1 || t > Schedule.Steps)
            throw new ArgumentOutOfRangeException(nameof(t), t, $"Step must lie in 1..{Schedule.Steps}.");
        using var step = t.ToScalar();
        using var steps = full(new[] { y0.shape[0] }, step, dtype: ScalarType.Int64, device: y0.device);
        return QPosteriorMeanVariance(y0, yt, steps);
    }

    /// <summary>
    /// The Palette objective E ||f(x, y~, gamma) - eps||_p^p for one batch, as a scalar with gradient.
    /// With a mask (B, 1, H, W; 1 = generate, 0 = known) only the masked region is noised, and the loss is
    /// the mean over masked pixels only, so the known region neither dilutes nor adds to it.
    /// Draws gamma (see <see cref="SampleTimestepsAndNoiseLevels"/>) and then eps from <paramref name="gen"/>, on y0's device.
    /// </summary>
    public Tensor TrainingLoss(NoisePredictor model, Tensor x, Tensor y0, Tensor? mask, LossKind loss, torch.Generator gen)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y0);
        ArgumentNullException.ThrowIfNull(gen);
        if (x.shape[0] != y0.shape[0])
            throw new ArgumentException($"Condition batch {x.shape[0]} differs from target batch {y0.shape[0]}.", nameof(x));
        if (mask is not null)
            Broadcast.CheckMask(mask, y0, nameof(mask));

        using var scope = NewDisposeScope();
        using var k = new HeldScalars();
        var (_, gamma) = SampleTimestepsAndNoiseLevels(y0.shape[0], gen, y0.device);
        var noise = randn(y0.shape, dtype: y0.dtype, device: y0.device, generator: gen);
        var noisy = QSample(y0, gamma, noise);
        Tensor? m = mask?.to_type(y0.dtype);
        if (m is not null)
            noisy = (m * noisy).add(OneMinus(m, k) * y0, k.One);

        var predicted = model(x, noisy, gamma.to_type(ScalarType.Float32));
        var diff = predicted - noise;
        var error = loss switch
        {
            LossKind.L1 => diff.abs(),
            LossKind.L2 => diff.pow(k.Of(2)), // what square() does, with a held exponent
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss kind."),
        };

        Tensor value;
        if (m is null)
            value = error.mean();
        else
        {
            // Count masked elements over all channels; clamp so an empty mask gives 0 rather than NaN, without a host sync.
            var count = m.expand_as(error).sum().clamp_min(k.Of(1.0));
            value = (error * m).sum() / count;
        }
        return value.MoveToOuterDisposeScope();
    }

    /// <summary>1 - t exactly as TorchSharp's <c>1.0 - t</c> computes it (-t + 1.0, alpha 1), with held Scalars.</summary>
    internal static Tensor OneMinus(Tensor t, HeldScalars k) => t.negative().add(k.Of(1.0), k.One);

    private (Tensor GammaPrev, Tensor Gamma) TablesOn(Device device)
    {
        var key = device.ToString();
        if (!_tables.TryGetValue(key, out var tables))
        {
            tables = (tensor(Schedule.GammasPrevArray, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope(),
                      tensor(Schedule.GammasArray, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope());
            _tables[key] = tables;
        }
        return tables;
    }

    public void Dispose()
    {
        foreach (var (prev, gamma) in _tables.Values)
        {
            prev.Dispose();
            gamma.Dispose();
        }
        _tables.Clear();
    }

    private static void CheckBatch(Tensor perItem, Tensor batch, string paramName)
    {
        if (perItem.dim() != 1 || perItem.shape[0] != batch.shape[0])
            throw new ArgumentException(
                $"Expected one value per batch item, shape ({batch.shape[0]}), got [{string.Join(", ", perItem.shape)}].", paramName);
    }
}
