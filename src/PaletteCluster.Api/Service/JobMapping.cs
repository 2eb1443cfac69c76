using Google.Protobuf.WellKnownTypes;
using PaletteCluster.Abstractions;
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

    public static V1.JobSpec ToMessage(this JobSpec spec)
    {
        var message = new V1.JobSpec
        {
            Name = spec.Name, Data = spec.Data, Task = spec.Task, Preset = spec.Preset, ImageSize = spec.ImageSize,
            BatchSize = spec.BatchSize, Steps = spec.Steps, Seed = spec.Seed, LearningRate = spec.LearningRate,
            WarmupSteps = spec.WarmupSteps, EmaDecay = spec.EmaDecay, Loss = spec.Loss, Schedule = spec.Schedule,
            Precision = spec.Precision, Dropout = spec.Dropout, CheckpointEvery = spec.CheckpointEvery,
            ReportEvery = spec.ReportEvery, Samples = spec.Samples, Workers = spec.Workers,
        };
        if (spec.GradClip is { } clip) message.GradClip = clip;
        return message;
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
