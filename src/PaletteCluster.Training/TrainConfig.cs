using System.Text.Json.Serialization;
using PaletteCluster.Recipes;

namespace PaletteCluster.Training;

/// <summary>
/// The trajectory part of a <see cref="TrainingRecipe"/>: what a resumed run must keep to continue exactly as it
/// started. Stored in every checkpoint's manifest under "config" (camelCase; the schedule as "trainSchedule", the
/// loss and precision as "L1"/"Fp32", as always), so checkpoints written before the recipe existed still load.
/// The run's cadence (steps, checkpoint and report intervals, samples) is not part of it.
/// </summary>
public sealed record TrainConfig
{
    private static readonly TrainingRecipe Palette = new();

    [JsonConverter(typeof(SpecNameEnumConverter<UNetPreset>))]
    public UNetPreset Preset { get; init; } = Palette.Preset;
    public int ImageSize { get; init; } = Palette.ImageSize;
    public int BatchSize { get; init; } = Palette.BatchSize;
    public long Seed { get; init; } = Palette.Seed;
    public double LearningRate { get; init; } = Palette.LearningRate;
    public long WarmupSteps { get; init; } = Palette.WarmupSteps;
    /// <summary>Global gradient-norm limit; null disables clipping.</summary>
    public double? GradClip { get; init; } = Palette.GradClip;
    public double EmaDecay { get; init; } = Palette.EmaDecay;
    [JsonConverter(typeof(JsonStringEnumConverter<LossKind>))]
    public LossKind Loss { get; init; } = Palette.Loss;
    /// <summary>Training noise schedule, e.g. linear:2000:1e-6:0.01 (the patent's).</summary>
    [JsonPropertyName("trainSchedule")]
    public string Schedule { get; init; } = Palette.Schedule;
    [JsonConverter(typeof(JsonStringEnumConverter<PrecisionMode>))]
    public PrecisionMode Precision { get; init; } = Palette.Precision;
    public double Dropout { get; init; } = Palette.Dropout;
    /// <summary>Task spec: one task, a weighted mix ("inpainting:2,colorization:1") or "all".</summary>
    public string Task { get; init; } = Palette.Task;

    /// <summary>The trajectory fields of <paramref name="recipe"/>.</summary>
    public static TrainConfig From(TrainingRecipe recipe) => new()
    {
        Preset = recipe.Preset, ImageSize = recipe.ImageSize, BatchSize = recipe.BatchSize, Seed = recipe.Seed,
        LearningRate = recipe.LearningRate, WarmupSteps = recipe.WarmupSteps, GradClip = recipe.GradClip,
        EmaDecay = recipe.EmaDecay, Loss = recipe.Loss, Schedule = recipe.Schedule, Precision = recipe.Precision,
        Dropout = recipe.Dropout, Task = recipe.Task,
    };

    /// <summary><paramref name="cadence"/> (default: the Palette recipe's) with this config's trajectory fields.</summary>
    public TrainingRecipe ToRecipe(TrainingRecipe? cadence = null) => (cadence ?? Palette) with
    {
        Preset = Preset, ImageSize = ImageSize, BatchSize = BatchSize, Seed = Seed, LearningRate = LearningRate,
        WarmupSteps = WarmupSteps, GradClip = GradClip, EmaDecay = EmaDecay, Loss = Loss, Schedule = Schedule,
        Precision = Precision, Dropout = Dropout, Task = Task,
    };

    /// <summary>The recipe's rules (<see cref="TrainingRecipe.Validate"/>); throws an InvalidRecipeException listing every problem.</summary>
    public void Validate() => ToRecipe().EnsureValid();
}
