using PaletteCluster.Abstractions;
using PaletteCluster.Recipes;

namespace PaletteCluster.Api.Specs;

/// <summary>The keys a job spec file may hold, and the "did you mean" guess for a key it may not.</summary>
public static class JobSpecKeys
{
    /// <summary>The job's own keys, then the recipe's (<see cref="RecipeFields"/>), then workers.</summary>
    public static readonly IReadOnlyList<string> All =
        [JobSpec.NameField, JobSpec.DataField, .. RecipeFields.All, JobSpec.WorkersField];

    public static readonly IReadOnlyList<string> Required = [JobSpec.DataField, RecipeFields.Steps];

    /// <summary>Names users bring from <c>palette train</c>'s options, which edit distance alone would not find.</summary>
    private static readonly IReadOnlyDictionary<string, string> FromTrainOptions = new Dictionary<string, string>
    {
        ["lr"] = "learning_rate",
        ["warmup"] = "warmup_steps",
        ["batch"] = "batch_size",
        ["log_every"] = "report_every",
        ["size"] = "image_size",
    };

    /// <summary>The known key closest to <paramref name="unknown"/>, or null when none is close enough to be a typo.</summary>
    public static string? Suggest(string unknown)
    {
        var normalized = Normalize(unknown);
        if (FromTrainOptions.TryGetValue(normalized, out var alias)) return alias;
        var best = All.Select(k => (Key: k, Distance: EditDistance(normalized, k))).MinBy(x => x.Distance);
        int allowed = Math.Clamp(normalized.Length / 3, 1, 3);
        return best.Distance <= allowed ? best.Key : null;
    }

    /// <summary>batchSize, Batch-Size and batch_size all become batch_size.</summary>
    private static string Normalize(string key)
    {
        var chars = new List<char>(key.Length + 4);
        for (int i = 0; i < key.Length; i++)
        {
            char c = key[i];
            if (char.IsUpper(c) && i > 0 && char.IsLower(key[i - 1])) chars.Add('_');
            chars.Add(c is '-' or ' ' ? '_' : char.ToLowerInvariant(c));
        }
        return new string(chars.ToArray());
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions).</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
