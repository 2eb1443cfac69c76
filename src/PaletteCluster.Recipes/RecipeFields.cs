namespace PaletteCluster.Recipes;

/// <summary>
/// The recipe's fields by their spec-file keys: problems name them, job spec files use them, the wire message mirrors
/// them. Listed in the order spec files and canonical JSON show them.
/// </summary>
public static class RecipeFields
{
    public const string Task = "task";
    public const string Preset = "preset";
    public const string ImageSize = "image_size";
    public const string BatchSize = "batch_size";
    public const string Steps = "steps";
    public const string Seed = "seed";
    public const string LearningRate = "learning_rate";
    public const string WarmupSteps = "warmup_steps";
    public const string GradClip = "grad_clip";
    public const string EmaDecay = "ema_decay";
    public const string Loss = "loss";
    public const string Schedule = "schedule";
    public const string Precision = "precision";
    public const string Dropout = "dropout";
    public const string CheckpointEvery = "checkpoint_every";
    public const string ReportEvery = "report_every";
    public const string Samples = "samples";

    public static IReadOnlyList<string> All { get; } =
    [
        Task, Preset, ImageSize, BatchSize, Steps, Seed, LearningRate, WarmupSteps, GradClip, EmaDecay, Loss, Schedule,
        Precision, Dropout, CheckpointEvery, ReportEvery, Samples,
    ];
}
