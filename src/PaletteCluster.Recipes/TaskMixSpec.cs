using System.Globalization;

namespace PaletteCluster.Recipes;

/// <summary>One task of a mix and its share (weights are relative; they need not sum to one).</summary>
public sealed record WeightedTaskName(string Name, double Weight);

/// <summary>
/// The syntax of a task spec: one task ("colorization"), a weighted mix ("inpainting:2,colorization:1"; weights
/// default to 1) or "all". PaletteCluster.Data.Tasks.TaskCatalog turns the names into tasks.
/// </summary>
public static class TaskMixSpec
{
    /// <summary>The Palette tasks by the names used in specs and on the command line.</summary>
    public static IReadOnlyList<string> TaskNames { get; } =
        ["colorization", "inpainting", "uncropping", "jpeg", "sr4x", "denoising", "deblurring"];

    /// <summary>The tasks and weights of a spec, names in lower case; throws an ArgumentException ("task: ...") for a bad one.</summary>
    public static IReadOnlyList<WeightedTaskName> Parse(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new ArgumentException("task: empty task spec");
        if (spec.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
            return TaskNames.Select(n => new WeightedTaskName(n, 1.0)).ToList();
        var tasks = new List<WeightedTaskName>();
        foreach (var item in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var nameAndWeight = item.Split(':');
            double weight = 1.0;
            if (nameAndWeight.Length > 2 || nameAndWeight.Length == 2
                && (!double.TryParse(nameAndWeight[1], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || !(weight > 0)))
                throw new ArgumentException($"task: '{item}' in '{spec}' must be name or name:weight with a positive weight");
            tasks.Add(new WeightedTaskName(KnownName(nameAndWeight[0]), weight));
        }
        return tasks;
    }

    /// <summary>The name in lower case, or an ArgumentException listing the known ones.</summary>
    public static string KnownName(string name)
    {
        var lower = name.Trim().ToLowerInvariant();
        return TaskNames.Contains(lower) ? lower : throw new ArgumentException($"task: unknown task '{name}'; known: {string.Join(", ", TaskNames)}");
    }
}
