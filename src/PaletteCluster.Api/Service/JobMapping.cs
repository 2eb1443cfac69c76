using Google.Protobuf.WellKnownTypes;
using PaletteCluster.Abstractions;
using PaletteCluster.Recipes;
using V1 = PaletteCluster.Api.V1;

namespace PaletteCluster.Api.Service;

/// <summary>Grain records to their wire messages (one direction: the API never takes a Job back from a client).</summary>
public static class JobMapping
{
    public static V1.Job ToMessage(this JobStatus status)
    {
        var job = new V1.Job
        {
            JobId = status.JobId,
            Spec = status.Spec.ToMessage(),
            State = status.State.ToMessage(),
            Step = status.Step,
            CheckpointStep = status.CheckpointStep,
            CreatedAt = Timestamp.FromDateTimeOffset(status.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(status.UpdatedAt),
            Version = status.Version,
        };
        if (status.Loss is { } loss) job.Loss = loss;
        if (status.LearningRate is { } lr) job.LearningRate = lr;
        if (status.ImagesPerSecond is { } speed) job.ImagesPerSecond = speed;
        if (status.Checkpoint is { } checkpoint) job.Checkpoint = checkpoint;
        if (status.Error is { } error) job.Error = error;
        if (status.SampleGrid is { } grid) job.SampleGrid = grid;
        if (status.SuspendedBecause is { } why) job.SuspendedBecause = why;
        job.Workers.AddRange(status.Workers);
        return job;
    }

    public static V1.JobSpec ToMessage(this JobSpec spec) => new()
    {
        Name = spec.Name, Data = spec.Data, Workers = spec.Workers, Recipe = spec.Recipe.ToMessage(),
    };

    public static V1.Recipe ToMessage(this TrainingRecipe recipe)
    {
        var message = new V1.Recipe
        {
            Task = recipe.Task, Preset = SpecNames.Of(recipe.Preset), ImageSize = recipe.ImageSize, BatchSize = recipe.BatchSize,
            Steps = recipe.Steps, Seed = recipe.Seed, LearningRate = recipe.LearningRate, WarmupSteps = recipe.WarmupSteps,
            EmaDecay = recipe.EmaDecay, Loss = SpecNames.Of(recipe.Loss), Schedule = recipe.Schedule,
            Precision = SpecNames.Of(recipe.Precision), Dropout = recipe.Dropout, CheckpointEvery = recipe.CheckpointEvery,
            ReportEvery = recipe.ReportEvery, Samples = recipe.Samples,
        };
        if (recipe.GradClip is { } clip) message.GradClip = clip;
        return message;
    }

    /// <summary>The job a submit request gives as fields; names that are no enum member are problems (the values are not yet validated).</summary>
    public static JobSpec FromMessage(this V1.JobSpec message, List<RecipeProblem> problems) => new()
    {
        Name = message.Name, Data = message.Data, Workers = message.Workers,
        Recipe = (message.Recipe ?? new TrainingRecipe().ToMessage()).FromMessage(problems),
    };

    public static TrainingRecipe FromMessage(this V1.Recipe message, List<RecipeProblem> problems) => new()
    {
        Task = message.Task, Preset = Choice<UNetPreset>(message.Preset, RecipeFields.Preset, problems), ImageSize = message.ImageSize,
        BatchSize = message.BatchSize, Steps = message.Steps, Seed = message.Seed, LearningRate = message.LearningRate,
        WarmupSteps = message.WarmupSteps, GradClip = message.HasGradClip ? message.GradClip : null, EmaDecay = message.EmaDecay,
        Loss = Choice<LossKind>(message.Loss, RecipeFields.Loss, problems), Schedule = message.Schedule,
        Precision = Choice<PrecisionMode>(message.Precision, RecipeFields.Precision, problems), Dropout = message.Dropout,
        CheckpointEvery = message.CheckpointEvery, ReportEvery = message.ReportEvery, Samples = message.Samples,
    };

    private static T Choice<T>(string name, string field, List<RecipeProblem> problems) where T : struct, System.Enum
    {
        if (SpecNames.TryParse<T>(name, out var value)) return value;
        problems.Add(new RecipeProblem(field, SpecNames.MustBeOneOf<T>(name)));
        return default;
    }

    public static V1.JobState ToMessage(this JobState state) => state switch
    {
        JobState.Pending => V1.JobState.Pending,
        JobState.Running => V1.JobState.Running,
        JobState.Paused => V1.JobState.Paused,
        JobState.Completed => V1.JobState.Completed,
        JobState.Failed => V1.JobState.Failed,
        JobState.Cancelled => V1.JobState.Cancelled,
        JobState.Suspended => V1.JobState.Suspended,
        _ => V1.JobState.Unspecified,
    };

    public static bool IsFinal(this JobState state) => state is JobState.Completed or JobState.Failed or JobState.Cancelled;

    public static bool IsFinal(this V1.JobState state) => state is V1.JobState.Completed or V1.JobState.Failed or V1.JobState.Cancelled;

    public static V1.MetricPoint ToMessage(this MetricPoint point) => new()
    {
        Step = point.Step,
        At = Timestamp.FromDateTimeOffset(point.At),
        Loss = point.Loss,
        LearningRate = point.LearningRate,
        ImagesPerSecond = point.ImagesPerSecond,
    };

    /// <summary>A worker the directory lists but whose grain has no record yet shows with its id only.</summary>
    public static V1.Worker ToMessage(this WorkerInfo? info, string workerId)
    {
        var worker = new V1.Worker { WorkerId = workerId };
        if (info is null) return worker;
        worker.Active = info.Active;
        worker.ImagesPerSecond = info.ImagesPerSecond;
        worker.RegisteredAt = Timestamp.FromDateTimeOffset(info.RegisteredAt);
        worker.LastHeartbeat = Timestamp.FromDateTimeOffset(info.LastHeartbeat);
        if (info.CurrentJob is { } job) worker.CurrentJob = job;
        if (info.LastError is { } error) worker.LastError = error;
        if (info.Inventory is { } inventory)
        {
            worker.Host = inventory.Host;
            worker.ProcessId = inventory.ProcessId;
            worker.DeviceKind = inventory.DeviceKind;
            worker.CpuCores = inventory.CpuCores;
            worker.Gpus.AddRange(inventory.Gpus);
            worker.GpuMemoryBytes = inventory.GpuMemoryBytes;
        }
        return worker;
    }
}
