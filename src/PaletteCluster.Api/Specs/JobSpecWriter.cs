using System.Text;
using System.Text.Json;
using PaletteCluster.Abstractions;

namespace PaletteCluster.Api.Specs;

/// <summary>
/// Writes a JobSpec as canonical JSON: every key, snake_case, in <see cref="JobSpecKeys.All"/> order, so the same spec
/// always prints the same way and reads back (<see cref="JobSpecReader"/>) to an equal JobSpec.
/// </summary>
public static class JobSpecWriter
{
    public static string ToJson(JobSpec spec, bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            json.WriteStartObject();
            json.WriteString("name", spec.Name);
            json.WriteString("data", spec.Data);
            json.WriteString("task", spec.Task);
            json.WriteString("preset", spec.Preset);
            json.WriteNumber("image_size", spec.ImageSize);
            json.WriteNumber("batch_size", spec.BatchSize);
            json.WriteNumber("steps", spec.Steps);
            json.WriteNumber("seed", spec.Seed);
            json.WriteNumber("learning_rate", spec.LearningRate);
            json.WriteNumber("warmup_steps", spec.WarmupSteps);
            if (spec.GradClip is { } clip) json.WriteNumber("grad_clip", clip);
            else json.WriteNull("grad_clip");
            json.WriteNumber("ema_decay", spec.EmaDecay);
            json.WriteString("loss", spec.Loss);
            json.WriteString("schedule", spec.Schedule);
            json.WriteString("precision", spec.Precision);
            json.WriteNumber("dropout", spec.Dropout);
            json.WriteNumber("checkpoint_every", spec.CheckpointEvery);
            json.WriteNumber("report_every", spec.ReportEvery);
            json.WriteNumber("samples", spec.Samples);
            json.WriteNumber("workers", spec.Workers);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
