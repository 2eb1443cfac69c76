using PaletteCluster.Recipes;

namespace PaletteCluster.Data.Tasks;

/// <summary>
/// The Palette tasks by the names used in settings and on the command line, with default settings, and task
/// specs: "colorization", "inpainting:2,colorization:1" (weights default to 1) or "all".
/// </summary>
public static class TaskCatalog
{
    public static IReadOnlyList<string> Names => TaskMixSpec.TaskNames;

    public static IImageTask Create(string name) => name.Trim().ToLowerInvariant() switch
    {
        "colorization" => new ColorizationTask(),
        "inpainting" => new InpaintingTask(),
        "uncropping" => new UncroppingTask(),
        "jpeg" => new JpegRestorationTask(),
        "sr4x" => new SuperResolutionTask(),
        "denoising" => new DenoisingTask(),
        "deblurring" => new DeblurringTask(),
        _ => throw new ArgumentException($"task: unknown task '{name}'; known: {string.Join(", ", Names)}"),
    };

    /// <summary>One task, or a <see cref="TaskMix"/> when the spec names several.</summary>
    public static IImageTask FromSpec(string spec)
    {
        var parts = Parse(spec);
        return parts.Count == 1 ? parts[0].Task : new TaskMix(parts);
    }

    /// <summary>The tasks and weights of a spec (syntax: <see cref="TaskMixSpec"/>); throws a clear ArgumentException for a bad one.</summary>
    public static IReadOnlyList<WeightedTask> Parse(string spec) =>
        TaskMixSpec.Parse(spec).Select(t => new WeightedTask(Create(t.Name), t.Weight)).ToList();
}
