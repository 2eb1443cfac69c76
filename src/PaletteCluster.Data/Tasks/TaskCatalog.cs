namespace PaletteCluster.Data.Tasks;

/// <summary>
/// The Palette tasks by the names used in settings and on the command line, with default settings, and task
/// specs: "colorization", "inpainting:2,colorization:1" (weights default to 1) or "all".
/// </summary>
public static class TaskCatalog
{
    public static IReadOnlyList<string> Names { get; } =
        ["colorization", "inpainting", "uncropping", "jpeg", "sr4x", "denoising", "deblurring"];

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

    /// <summary>The tasks and weights of a spec; throws a clear ArgumentException for a bad one.</summary>
    public static IReadOnlyList<WeightedTask> Parse(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new ArgumentException("task: empty task spec");
        if (spec.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
            return Names.Select(n => new WeightedTask(Create(n), 1.0)).ToList();
        var tasks = new List<WeightedTask>();
        foreach (var item in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var nameAndWeight = item.Split(':');
            double weight = 1.0;
            if (nameAndWeight.Length > 2 || nameAndWeight.Length == 2 && (!double.TryParse(nameAndWeight[1],
                    System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out weight) || !(weight > 0)))
                throw new ArgumentException($"task: '{item}' in '{spec}' must be name or name:weight with a positive weight");
            tasks.Add(new WeightedTask(Create(nameAndWeight[0]), weight));
        }
        return tasks;
    }
}
