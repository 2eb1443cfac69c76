using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Diffusion;

/// <summary>
/// DDIM (Song et al. 2021) over a strided subsequence of S steps of its schedule, deterministic when eta = 0:
/// y0^ = clip((y_t - sqrt(1 - g) eps) / sqrt(g)), then
/// y_prev = sqrt(g_prev) y0^ + sqrt(1 - g_prev - sigma^2) eps^ + sigma z,
/// sigma = eta sqrt((1 - g_prev) / (1 - g)) sqrt(1 - g / g_prev).
/// </summary>
public sealed class DdimSampler : ISampler
{
    private readonly int[] _timesteps;

    /// <param name="schedule">The inference schedule to stride through.</param>
    /// <param name="steps">S, the number of network evaluations (1..T).</param>
    /// <param name="eta">0 = deterministic DDIM, 1 = DDPM-like noise.</param>
    /// <param name="clipDenoised">Clip y0^ to [-1, 1], the data range.</param>
    /// <param name="targetChannels">Channels of the generated image.</param>
    public DdimSampler(NoiseSchedule schedule, int steps, double eta = 0.0, bool clipDenoised = true, int targetChannels = 3)
    {
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        if (steps < 1 || steps > schedule.Steps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"DDIM steps must lie in 1..{schedule.Steps}.");
        if (!(eta >= 0) || double.IsInfinity(eta))
            throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be a finite number >= 0.");
        ArgumentOutOfRangeException.ThrowIfLessThan(targetChannels, 1);
        Eta = eta;
        ClipDenoised = clipDenoised;
        TargetChannels = targetChannels;
        _timesteps = Stride(schedule.Steps, steps);
        Timesteps = Array.AsReadOnly(_timesteps);
    }

    public NoiseSchedule Schedule { get; }

    public double Eta { get; }

    public bool ClipDenoised { get; }

    public int TargetChannels { get; }

    public int Steps => _timesteps.Length;

    /// <summary>The 1-based schedule steps visited, from T down to 1.</summary>
    public IReadOnlyList<int> Timesteps { get; }

    public Tensor Sample(NoisePredictor model, Tensor condition, Tensor? mask, Tensor? known, torch.Generator gen, IProgress<int>? progress = null)
    {
        using var noGrad = torch.no_grad();
        using var outer = NewDisposeScope();
        var (shape, y, maskT, knownT) = SamplerInputs.Begin(model, condition, mask, known, gen, TargetChannels);
        var (dtype, device) = (condition.dtype, condition.device);

        for (int i = 0; i < _timesteps.Length; i++)
        {
            using var step = NewDisposeScope();
            using var k = new HeldScalars(); // every Scalar of this step, alive until its last native call is done
            double gamma = Schedule.Gamma(_timesteps[i]);
            double gammaPrev = i + 1 < _timesteps.Length ? Schedule.Gamma(_timesteps[i + 1]) : 1.0;
            var gammaBatch = full(new[] { shape[0] }, k.Of(gamma), dtype: ScalarType.Float32, device: device);
            var eps = model(condition, y, gammaBatch);

            var y0Hat = (y - eps.mul(k.Of(Math.Sqrt(1.0 - gamma)))).div(k.Of(Math.Sqrt(gamma)));
            if (ClipDenoised)
                y0Hat = y0Hat.clamp(k.Of(-1.0), k.Of(1.0));
            // Re-derive eps from the clipped y0^ so that both terms describe the same y_t.
            var epsHat = (y - y0Hat.mul(k.Of(Math.Sqrt(gamma)))).div(k.Of(Math.Sqrt(1.0 - gamma)));

            double sigma = Eta * Math.Sqrt((1.0 - gammaPrev) / (1.0 - gamma)) * Math.Sqrt(1.0 - gamma / gammaPrev);
            double direction = Math.Sqrt(Math.Max(0.0, 1.0 - gammaPrev - sigma * sigma));
            var next = y0Hat.mul(k.Of(Math.Sqrt(gammaPrev))).add(epsHat.mul(k.Of(direction)), k.One);
            if (sigma > 0)
                next = next.add(randn(shape, dtype: dtype, device: device, generator: gen).mul(k.Of(sigma)), k.One);
            if (maskT is not null)
                next = SamplerInputs.Paste(next, maskT, knownT!);
            next.MoveToOuterDisposeScope();
            y.Dispose();
            y = next;
            progress?.Report(i + 1);
        }
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>S evenly spread steps from T down to 1 (always including both ends when S &gt; 1).</summary>
    internal static int[] Stride(int total, int count)
    {
        if (count == 1)
            return new[] { total };
        var steps = new int[count];
        for (int i = 0; i < count; i++)
            steps[count - 1 - i] = 1 + (int)Math.Round((double)i * (total - 1) / (count - 1), MidpointRounding.AwayFromZero);
        return steps;
    }
}
