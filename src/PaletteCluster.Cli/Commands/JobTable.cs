using WorkerView = PaletteCluster.Api.V1.Worker;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using PaletteCluster.Api.V1;

namespace PaletteCluster.Cli.Commands;

/// <summary>How jobs and workers print: aligned tables, a detail view, and JSON with the proto's snake_case names.</summary>
public static class JobTable
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default
        .WithPreserveProtoFieldNames(true)
        .WithFormatDefaultValues(true)
        .WithIndentation());

    public static string Jobs(IEnumerable<Job> jobs, DateTimeOffset now) => Table(
        ["ID", "STATE", "STEP", "LOSS", "IMG/S", "WORKERS", "UPDATED"],
        jobs.Select(j => new[]
        {
            j.JobId, StateName(j.State), $"{j.Step}/{j.Spec?.Recipe?.Steps ?? 0}", Number(j.HasLoss ? j.Loss : null, "F4"),
            Number(j.HasImagesPerSecond ? j.ImagesPerSecond : null, "F1"), j.Workers.Count == 0 ? "-" : string.Join(",", j.Workers),
            Ago(j.UpdatedAt?.ToDateTimeOffset(), now),
        }));

    public static string Workers(IEnumerable<WorkerView> workers, DateTimeOffset now) => Table(
        ["ID", "STATE", "HOST", "DEVICE", "JOB", "IMG/S", "HEARTBEAT", "LAST ERROR"],
        workers.Select(w => new[]
        {
            w.WorkerId, w.Active ? "active" : "gone", w.Host.Length == 0 ? "-" : w.Host, Device(w),
            w.HasCurrentJob ? w.CurrentJob : "-", w.ImagesPerSecond.ToString("F1", CultureInfo.InvariantCulture),
            Ago(w.LastHeartbeat?.ToDateTimeOffset(), now), w.HasLastError ? OneLine(w.LastError, 60) : "-",
        }));

    /// <summary>One job as "key: value" lines, its recipe included.</summary>
    public static string Detail(Job job, DateTimeOffset now)
    {
        var lines = new List<(string, string)>
        {
            ("job", job.JobId),
            ("state", StateName(job.State)),
            ("step", $"{job.Step}/{job.Spec?.Recipe?.Steps ?? 0}"),
            ("loss", Number(job.HasLoss ? job.Loss : null, "F4")),
            ("learning rate", Number(job.HasLearningRate ? job.LearningRate : null, "G3")),
            ("img/s", Number(job.HasImagesPerSecond ? job.ImagesPerSecond : null, "F1")),
            ("workers", job.Workers.Count == 0 ? "-" : string.Join(", ", job.Workers)),
            ("checkpoint", job.HasCheckpoint ? $"{job.Checkpoint} (step {job.CheckpointStep})" : "-"),
        };
        if (job.HasSuspendedBecause) lines.Add(("suspended", job.SuspendedBecause));
        if (job.HasSampleGrid) lines.Add(("samples", job.SampleGrid));
        if (job.HasError) lines.Add(("error", job.Error));
        lines.Add(("created", Ago(job.CreatedAt?.ToDateTimeOffset(), now)));
        lines.Add(("updated", Ago(job.UpdatedAt?.ToDateTimeOffset(), now)));
        if (job.Spec is { } spec)
        {
            lines.Add(("name", spec.Name));
            lines.Add(("data", spec.Data));
        }
        if (job.Spec?.Recipe is { } s)
        {
            lines.Add(("task", s.Task));
            lines.Add(("recipe", string.Create(CultureInfo.InvariantCulture,
                $"{s.Preset} at {s.ImageSize}px, batch {s.BatchSize}, lr {s.LearningRate:G3} (warmup {s.WarmupSteps}), {s.Loss}, {s.Precision}")));
        }
        int width = lines.Max(l => l.Item1.Length) + 1;
        return string.Join(Environment.NewLine, lines.Select(l => $"{(l.Item1 + ":").PadRight(width)} {l.Item2}"));
    }

    public static string ToJson(IMessage message) => Json.Format(message);

    public static string ToJson(IEnumerable<IMessage> messages)
    {
        var items = messages.Select(m => Json.Format(m)).ToList();
        return items.Count == 0 ? "[]" : "[\n" + string.Join(",\n", items) + "\n]";
    }

    public static string StateName(JobState state) => state == JobState.Unspecified ? "unknown" : state.ToString().ToLowerInvariant();

    /// <summary>"5s ago", "3m ago", "2h ago", "4d ago"; "-" when unknown.</summary>
    public static string Ago(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is null || at.Value == DateTimeOffset.UnixEpoch) return "-";
        var age = now - at.Value;
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        return age.TotalSeconds < 60 ? $"{(int)age.TotalSeconds}s ago"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes}m ago"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h ago"
            : $"{(int)age.TotalDays}d ago";
    }

    private static string Device(WorkerView w) =>
        w.DeviceKind.Length == 0 ? "-"
        : w.Gpus.Count > 0 ? $"{w.DeviceKind}: {string.Join(", ", w.Gpus)}"
        : $"{w.DeviceKind} x{w.CpuCores}";

    private static string Number(double? value, string format) =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string OneLine(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..(max - 3)] + "...";
    }

    /// <summary>Columns padded to their widest cell, two spaces apart; the last column is not padded.</summary>
    public static string Table(string[] headers, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, c) => all.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            var cells = row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]));
            text.AppendLine(string.Join("  ", cells).TrimEnd());
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>The text after a job's progress bar: loss, learning rate, throughput, checkpoint, what it waits for.</summary>
    public static string Progress(Job job)
    {
        var parts = new List<string>();
        if (job.HasLoss) parts.Add(string.Create(CultureInfo.InvariantCulture, $"loss {job.Loss:F4}"));
        if (job.HasLearningRate) parts.Add(string.Create(CultureInfo.InvariantCulture, $"lr {job.LearningRate:G3}"));
        if (job.HasImagesPerSecond) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{job.ImagesPerSecond:F1} img/s"));
        if (job.HasCheckpoint) parts.Add($"checkpoint @{job.CheckpointStep}");
        if (job.State == JobState.Pending) parts.Add("waiting for a worker");
        if (job.HasSuspendedBecause) parts.Add($"suspended: {job.SuspendedBecause}");
        if (job.HasError) parts.Add($"error: {job.Error}");
        return string.Join(" ", parts);
    }
}
