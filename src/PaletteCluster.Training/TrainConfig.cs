using System.Text.Json.Serialization;
using PaletteCluster.Data.Tasks;
using PaletteCluster.Diffusion;
using PaletteCluster.Training.Precision;

namespace PaletteCluster.Training;

/// <summary>
/// Everything that defines a training run's trajectory. Stored in every checkpoint's manifest, so a resumed
/// run continues with exactly the settings it started with. Defaults are the Palette recipe.
/// </summary>
public sealed record TrainConfig
{
    /// <summary>Network preset: tiny, small or adm (see UNetConfig).</summary>
    public string Preset { get; init; } = "tiny";
    public int ImageSize { get; init; } = 64;
    public int BatchSize { get; init; } = 8;
    public long Seed { get; init; } = 0;
    public double LearningRate { get; init; } = 1e-4;
    public long WarmupSteps { get; init; } = 10_000;
    /// <summary>Global gradient-norm limit; null disables clipping.</summary>
    public double? GradClip { get; init; }
    public double EmaDecay { get; init; } = 0.9999;
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public LossKind Loss { get; init; } = LossKind.L1;
    /// <summary>Training noise schedule, e.g. linear:2000:1e-6:0.01 (the patent's).</summary>
    public string TrainSchedule { get; init; } = "linear:2000:1e-6:0.01";
    [JsonConverter(typeof(JsonStringEnumConverter))]
    public PrecisionMode Precision { get; init; } = PrecisionMode.Fp32;
    public double Dropout { get; init; } = 0.0;
    /// <summary>Task spec: one task, a weighted mix ("inpainting:2,colorization:1") or "all" (see TaskCatalog).</summary>
    public string Task { get; init; } = "colorization";

    public void Validate()
    {
        static void Check(bool ok, string field, string what) { if (!ok) throw new ArgumentException($"{field}: {what}"); }
        Check(ImageSize >= 8, "image-size", $"must be at least 8, got {ImageSize}");
        Check(BatchSize >= 1, "batch", $"must be at least 1, got {BatchSize}");
        Check(LearningRate > 0 && LearningRate < 1, "lr", $"must be in (0, 1), got {LearningRate}");
        Check(WarmupSteps >= 0, "warmup", $"must be >= 0, got {WarmupSteps}");
        Check(GradClip is null or > 0, "grad-clip", $"must be > 0, got {GradClip}");
        Check(EmaDecay is >= 0 and <= 1, "ema-decay", $"must be in [0, 1], got {EmaDecay}");
        Check(Dropout is >= 0 and < 1, "dropout", $"must be in [0, 1), got {Dropout}");
        TaskCatalog.Parse(Task);
        NoiseScheduleSpec.Parse(TrainSchedule);
    }
}
