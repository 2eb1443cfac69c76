using PaletteCluster.Abstractions;
using PaletteCluster.Diffusion;
using PaletteCluster.Training;
using PaletteCluster.Training.Precision;

namespace PaletteCluster.Worker;

/// <summary>Turns a job spec (control-plane metadata) into the trainer's config and run options.</summary>
public static class JobSpecMapping
{
    public static TrainConfig ToTrainConfig(JobSpec spec) => new()
    {
        Preset = spec.Preset,
        ImageSize = spec.ImageSize,
        BatchSize = spec.BatchSize,
        Seed = spec.Seed,
        LearningRate = spec.LearningRate,
        WarmupSteps = spec.WarmupSteps,
        GradClip = spec.GradClip,
        EmaDecay = spec.EmaDecay,
        Loss = ParseEnum<LossKind>(spec.Loss, "loss"),
        TrainSchedule = spec.Schedule,
        Precision = ParseEnum<PrecisionMode>(spec.Precision, "precision"),
        Dropout = spec.Dropout,
        Task = spec.Task,
    };

    public static TrainingRunOptions ToRunOptions(Assignment assignment, WorkerOptions worker) => new()
    {
        DataDir = assignment.Spec.Data,
        RunDir = worker.JobFolder(assignment.JobId),
        TotalSteps = assignment.Spec.Steps,
        CheckpointEvery = assignment.Spec.CheckpointEvery,
        LogEvery = assignment.Spec.ReportEvery,
        // A job always continues: from the checkpoint the job grain names, else from its folder's latest.
        Resume = true,
        ResumeFrom = assignment.Checkpoint,
        FinalSamples = assignment.Spec.Samples,
    };

    private static T ParseEnum<T>(string value, string field) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ArgumentException($"{field}: unknown value '{value}' (expected {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))})");
}
