using TorchSharp;
using static TorchSharp.torch;
using PaletteCluster.Recipes;

namespace PaletteCluster.Diffusion;

/// <summary>
/// Ancestral sampling, Palette patent Eqn 8:
/// y_{t-1} = (y_t - (1 - alpha_t) / sqrt(1 - gamma_t) f(x, y_t, gamma_t)) / sqrt(alpha_t) + sqrt(1 - alpha_t) z,
/// from y_T ~ N(0, I), with z ~ N(0, I) for t &gt; 1 and z = 0 at t = 1.
/// Its schedule is independent of the training schedule: the network only sees gamma.
/// With <see cref="ClipDenoised"/> the same mean is formed, guided-diffusion style, as the posterior mean
/// q(y_{t-1} | y0_hat, y_t) of the predicted y0_hat clipped to [-1, 1]; unclipped, that equals Eqn 8 exactly,
/// and the clip keeps an imperfect network from drifting out of the data range over many steps.
/// </summary>
public sealed class DdpmSampler : ISampler
{
    /// <param name="schedule">The inference schedule, e.g. <see cref="NoiseScheduleSpec.PaletteInference"/>.</param>
    /// <param name="targetChannels">Channels of the generated image.</param>
    /// <param name="clipDenoised">Clip the implied y0 to [-1, 1] at every step (see the class summary).</param>
    public DdpmSampler(NoiseSchedule schedule, int targetChannels = 3, bool clipDenoised = false)
    {
        ClipDenoised = clipDenoised;
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        ArgumentOutOfRangeException.ThrowIfLessThan(targetChannels, 1);
        TargetChannels = targetChannels;
    }

    public NoiseSchedule Schedule { get; }

    public int TargetChannels { get; }

    public bool ClipDenoised { get; }

    public int Steps => Schedule.Steps;

    public Tensor Sample(NoisePredictor model, Tensor condition, Tensor? mask, Tensor? known, torch.Generator gen, IProgress<int>? progress = null)
    {
        using var noGrad = torch.no_grad();
        using var outer = NewDisposeScope();
        var (shape, y, maskT, knownT) = SamplerInputs.Begin(model, condition, mask, known, gen, TargetChannels);
        var (dtype, device) = (condition.dtype, condition.device);

        for (int t = Schedule.Steps; t >= 1; t--)
        {
            using var step = NewDisposeScope();
            using var k = new HeldScalars(); // every Scalar of this step, alive until its last native call is done
            double alpha = Schedule.Alpha(t), gamma = Schedule.Gamma(t);
            var gammaBatch = full(new[] { shape[0] }, k.Of(gamma), dtype: ScalarType.Float32, device: device);
            var eps = model(condition, y, gammaBatch);
            var next = ClipDenoised
                ? (y - eps.mul(k.Of(Math.Sqrt(1.0 - gamma)))).div(k.Of(Math.Sqrt(gamma))).clamp(k.Of(-1.0), k.Of(1.0))
                      .mul(k.Of(Schedule.PosteriorMeanCoefY0[t - 1]))
                      .add(y.mul(k.Of(Schedule.PosteriorMeanCoefYt[t - 1])), k.One)
                : (y - eps.mul(k.Of((1.0 - alpha) / Math.Sqrt(1.0 - gamma)))).div(k.Of(Math.Sqrt(alpha)));
            if (t > 1)
                next = next.add(randn(shape, dtype: dtype, device: device, generator: gen).mul(k.Of(Math.Sqrt(1.0 - alpha))), k.One);
            if (maskT is not null)
                next = SamplerInputs.Paste(next, maskT, knownT!);
            next.MoveToOuterDisposeScope();
            y.Dispose();
            y = next;
            progress?.Report(Schedule.Steps - t + 1);
        }
        return y.MoveToOuterDisposeScope();
    }
}
