using PaletteCluster.Diffusion;
using PaletteCluster.Recipes;

namespace PaletteCluster.Training.Sampling;

/// <summary>Inference settings; independent of the training schedule (the network only sees gamma).</summary>
public sealed record SamplingOptions
{
    /// <summary>ddpm (the patent's Eqn 8, every step of the schedule) or ddim (a strided subset, deterministic at eta 0).</summary>
    public string Sampler { get; init; } = "ddpm";
    /// <summary>Inference noise schedule; default the patent's linear (1e-4, 0.09) over 1000 steps.</summary>
    public string Schedule { get; init; } = NoiseScheduleSpec.PaletteInference.ToString();
    /// <summary>DDIM steps (ignored by DDPM, which runs every step of the schedule).</summary>
    public int Steps { get; init; } = 50;
    public double Eta { get; init; } = 0.0;
    public long Seed { get; init; } = 0;
    public int BatchSize { get; init; } = 8;
    /// <summary>Clip the implied clean image to [-1, 1] at every step (guided-diffusion's clip_denoised).</summary>
    public bool ClipDenoised { get; init; } = true;

    public ISampler CreateSampler()
    {
        var schedule = new NoiseSchedule(NoiseScheduleSpec.Parse(Schedule));
        return Sampler.ToLowerInvariant() switch
        {
            "ddpm" => new DdpmSampler(schedule, clipDenoised: ClipDenoised),
            "ddim" when Steps < 1 || Steps > schedule.Steps => throw new ArgumentException($"steps: DDIM needs 1..{schedule.Steps} steps for schedule {Schedule}, got {Steps}"),
            "ddim" => new DdimSampler(schedule, Steps, Eta, ClipDenoised),
            _ => throw new ArgumentException($"sampler: unknown sampler '{Sampler}'; use ddpm or ddim"),
        };
    }
}
