using System.Globalization;
using System.Text.Json.Serialization;

namespace PaletteCluster.Recipes;

/// <summary>
/// How one model is trained: network, data shape, optimizer, diffusion and the run's cadence. The one typed form of
/// a job spec's recipe, of <c>palette train</c>'s options and of the wire message; <see cref="Validate"/> is the one
/// set of rules for all of them. Defaults are the Palette recipe (scaled for a CPU demo where noted).
/// </summary>
public sealed record TrainingRecipe
{
    public const int MinImageSize = 8;
    public const int MaxImageSize = 4096;
    /// <summary>Image sizes must be multiples of this: the networks halve the image three times.</summary>
    public const int ImageSizeMultiple = 8;
    public const int MaxBatchSize = 65536;
    public const int MaxSamples = 1024;

    /// <summary>Task spec: one task, a weighted mix ("inpainting:2,colorization:1") or "all" (see <see cref="TaskMixSpec"/>).</summary>
    public string Task { get; init; } = "colorization";
    [JsonConverter(typeof(SpecNameEnumConverter<UNetPreset>))]
    public UNetPreset Preset { get; init; } = UNetPreset.Tiny;
    /// <summary>Training resolution (square); CPU demo size (Palette: 256).</summary>
    public int ImageSize { get; init; } = 64;
    public int BatchSize { get; init; } = 8;
    /// <summary>Total optimizer steps, across resumes.</summary>
    public long Steps { get; init; } = 1000;
    public long Seed { get; init; }
    /// <summary>Adam learning rate after warmup.</summary>
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Steps of linear learning-rate warmup.</summary>
    public long WarmupSteps { get; init; } = 10_000;
    /// <summary>Global gradient-norm limit; null disables clipping.</summary>
    public double? GradClip { get; init; }
    /// <summary>Decay of the weight average used for sampling.</summary>
    public double EmaDecay { get; init; } = 0.9999;
    [JsonConverter(typeof(SpecNameEnumConverter<LossKind>))]
    public LossKind Loss { get; init; } = LossKind.L1;
    /// <summary>Training noise schedule (see <see cref="NoiseScheduleSpec"/>); Palette's linear 1e-6 to 0.01 over 2000 steps.</summary>
    public string Schedule { get; init; } = "linear:2000:1e-6:0.01";
    [JsonConverter(typeof(SpecNameEnumConverter<PrecisionMode>))]
    public PrecisionMode Precision { get; init; } = PrecisionMode.Fp32;
    /// <summary>Dropout inside the residual blocks.</summary>
    public double Dropout { get; init; }
    /// <summary>Steps between checkpoints (one is also written at the end and on a stop).</summary>
    public long CheckpointEvery { get; init; } = 1000;
    /// <summary>Steps between progress reports (log lines, or reports to the job grain).</summary>
    public int ReportEvery { get; init; } = 10;
    /// <summary>Images in the sample grid written when training completes (0: none).</summary>
    public int Samples { get; init; } = 8;

    /// <summary>Every problem of the recipe, each with its field; empty when it can be trained.</summary>
    public IReadOnlyList<RecipeProblem> Validate()
    {
        var problems = new List<RecipeProblem>();
        void Check(bool ok, string field, string message)
        {
            if (!ok) problems.Add(new RecipeProblem(field, message));
        }

        try
        {
            TaskMixSpec.Parse(Task);
        }
        catch (ArgumentException e)
        {
            problems.Add(new RecipeProblem(RecipeFields.Task, WithoutField(e.Message, RecipeFields.Task)));
        }
        Check(Enum.IsDefined(Preset), RecipeFields.Preset, SpecNames.MustBeOneOf<UNetPreset>(Preset.ToString()));
        if (ImageSize is < MinImageSize or > MaxImageSize)
            problems.Add(new RecipeProblem(RecipeFields.ImageSize, Between(MinImageSize, MaxImageSize, ImageSize)));
        else
            Check(ImageSize % ImageSizeMultiple == 0, RecipeFields.ImageSize,
                $"must be a multiple of {ImageSizeMultiple} (the network halves it 3 times), got {ImageSize}");
        Check(BatchSize is >= 1 and <= MaxBatchSize, RecipeFields.BatchSize, Between(1, MaxBatchSize, BatchSize));
        Check(Steps >= 1, RecipeFields.Steps, AtLeast(1, Steps));
        Check(LearningRate is > 0 and < 1, RecipeFields.LearningRate, $"must be in (0, 1), got {Format(LearningRate)}");
        Check(WarmupSteps >= 0, RecipeFields.WarmupSteps, AtLeast(0, WarmupSteps));
        Check(GradClip is null || (GradClip > 0 && double.IsFinite(GradClip.Value)), RecipeFields.GradClip,
            $"must be greater than 0, got {Format(GradClip ?? 0)}");
        Check(EmaDecay is >= 0 and <= 1, RecipeFields.EmaDecay, $"must be in [0, 1], got {Format(EmaDecay)}");
        Check(Enum.IsDefined(Loss), RecipeFields.Loss, SpecNames.MustBeOneOf<LossKind>(Loss.ToString()));
        try
        {
            NoiseScheduleSpec.Parse(Schedule);
        }
        catch (ArgumentException e)
        {
            problems.Add(new RecipeProblem(RecipeFields.Schedule, e.Message));
        }
        Check(Enum.IsDefined(Precision), RecipeFields.Precision, SpecNames.MustBeOneOf<PrecisionMode>(Precision.ToString()));
        Check(Dropout is >= 0 and < 1, RecipeFields.Dropout, $"must be in [0, 1), got {Format(Dropout)}");
        Check(CheckpointEvery >= 1, RecipeFields.CheckpointEvery, AtLeast(1, CheckpointEvery));
        Check(ReportEvery >= 1, RecipeFields.ReportEvery, AtLeast(1, ReportEvery));
        Check(Samples is >= 0 and <= MaxSamples, RecipeFields.Samples, Between(0, MaxSamples, Samples));
        return problems;
    }

    /// <summary>This recipe, or an <see cref="InvalidRecipeException"/> listing every problem.</summary>
    public TrainingRecipe EnsureValid()
    {
        var problems = Validate();
        return problems.Count == 0 ? this : throw new InvalidRecipeException(problems);
    }

    private static string Between(long min, long max, long got) => $"must be between {min} and {max}, got {got}";

    private static string AtLeast(long min, long got) => $"must be at least {min}, got {got}";

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parsers prefix their messages with the field ("task: ..."); the problem names it already.</summary>
    private static string WithoutField(string message, string field) =>
        message.StartsWith(field + ": ", StringComparison.Ordinal) ? message[(field.Length + 2)..] : message;
}
