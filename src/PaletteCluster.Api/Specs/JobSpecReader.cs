using System.Globalization;
using PaletteCluster.Abstractions;
using PaletteCluster.Recipes;

namespace PaletteCluster.Api.Specs;

/// <summary>
/// Reads a job spec file (YAML or JSON, snake_case keys) into a <see cref="JobSpec"/> and its
/// <see cref="TrainingRecipe"/>. Strict: unknown keys, wrong types, missing required keys and every problem
/// <see cref="JobSpec.Validate"/> finds are collected, each with file, line and key, and thrown together as one
/// <see cref="JobSpecException"/>. Keys left out take the recipe's defaults. The limits are the recipe's own: this
/// reader only turns text into typed values.
/// </summary>
public static class JobSpecReader
{
    /// <summary>
    /// Reads a spec file. The format comes from the extension (.yaml, .yml, .json), else from the text. A relative
    /// <c>data</c> path is made absolute against the file's folder, and a missing <c>name</c> becomes the file's name,
    /// because the silo neither shares the caller's working directory nor knows the file.
    /// </summary>
    public static JobSpec ReadFile(string path)
    {
        var text = File.ReadAllText(path);
        return Read(text, Path.GetFileName(path), FormatOf(path, text), Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <param name="source">Named in every error (usually the file name).</param>
    /// <param name="format">Null: JSON if the text starts with '{', YAML otherwise.</param>
    /// <param name="folder">
    /// The spec file's folder: a relative <c>data</c> path is resolved against it and a missing <c>name</c> becomes
    /// <paramref name="source"/> without extension. Null: both stay as written.
    /// </param>
    public static JobSpec Read(string text, string source, JobSpecFormat? format = null, string? folder = null)
    {
        var errors = new List<JobSpecError>();
        var raw = (format ?? Guess(text)) == JobSpecFormat.Json
            ? JsonSpecParser.Parse(text, source, errors)
            : YamlSpecParser.Parse(text, source, errors);
        if (raw is null) throw new JobSpecException(source, errors);

        var binder = new Binder(source, errors);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in raw.Entries)
        {
            if (seen.TryGetValue(entry.Key, out var firstLine))
                binder.Error(entry, $"appears twice (first on line {firstLine}); give each key once");
            else
            {
                seen[entry.Key] = entry.Value.Line;
                binder.Bind(entry);
            }
        }
        var spec = binder.Spec;
        // Keys whose value could not be read already have an error; the default left in their place is not checked.
        foreach (var problem in spec.Validate().Where(p => !binder.Failed.Contains(p.Field) && !(p.Field == JobSpec.DataField && !seen.ContainsKey(p.Field))))
            errors.Add(new JobSpecError(source, seen.TryGetValue(problem.Field, out var line) ? line : raw.Line, problem.Field, problem.Message));

        foreach (var key in JobSpecKeys.Required.Where(k => !seen.ContainsKey(k)))
            errors.Add(new JobSpecError(source, raw.Line, key, "required key is missing"));

        if (errors.Count > 0) throw new JobSpecException(source, errors.OrderBy(e => e.Line).ToList());
        return folder is null ? spec : spec with
        {
            Data = Path.IsPathRooted(spec.Data) ? spec.Data : Path.GetFullPath(Path.Combine(folder, spec.Data)),
            Name = spec.Name.Length > 0 ? spec.Name : Path.GetFileNameWithoutExtension(source),
        };
    }

    public static JobSpecFormat FormatOf(string path, string text) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".yaml" or ".yml" => JobSpecFormat.Yaml,
        ".json" => JobSpecFormat.Json,
        _ => Guess(text),
    };

    /// <summary>"yaml", "json" or empty (guess); anything else is an ArgumentException.</summary>
    public static JobSpecFormat? ParseFormatHint(string? hint) => hint?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "yaml" or "yml" => JobSpecFormat.Yaml,
        "json" => JobSpecFormat.Json,
        _ => throw new ArgumentException($"unknown spec format '{hint}': use yaml or json"),
    };

    private static JobSpecFormat Guess(string text) =>
        text.TrimStart().StartsWith('{') ? JobSpecFormat.Json : JobSpecFormat.Yaml;

    /// <summary>Binds entries one by one onto a JobSpec, recording what cannot be read instead of stopping at it.</summary>
    private sealed class Binder(string source, List<JobSpecError> errors)
    {
        public JobSpec Spec { get; private set; } = new();
        /// <summary>Keys whose value had the wrong type (already reported).</summary>
        public HashSet<string> Failed { get; } = [];

        public void Error(RawEntry entry, string message)
        {
            errors.Add(new JobSpecError(source, entry.Value.Line, entry.Key, message));
            Failed.Add(entry.Key);
        }

        private void Recipe(Func<TrainingRecipe, TrainingRecipe> change) => Spec = Spec with { Recipe = change(Spec.Recipe) };

        public void Bind(RawEntry e)
        {
            switch (e.Key)
            {
                case JobSpec.NameField:
                    if (Text(e) is { } name) Spec = Spec with { Name = name };
                    break;
                case JobSpec.DataField:
                    if (NonEmptyText(e) is { } data) Spec = Spec with { Data = data };
                    break;
                case JobSpec.WorkersField:
                    if (Whole(e, int.MinValue, int.MaxValue) is { } workers) Spec = Spec with { Workers = (int)workers };
                    break;
                case RecipeFields.Task:
                    if (NonEmptyText(e) is { } task) Recipe(r => r with { Task = task });
                    break;
                case RecipeFields.Schedule:
                    if (NonEmptyText(e) is { } schedule) Recipe(r => r with { Schedule = schedule });
                    break;
                case RecipeFields.Preset:
                    if (Choice<UNetPreset>(e) is { } preset) Recipe(r => r with { Preset = preset });
                    break;
                case RecipeFields.Loss:
                    if (Choice<LossKind>(e) is { } loss) Recipe(r => r with { Loss = loss });
                    break;
                case RecipeFields.Precision:
                    if (Choice<PrecisionMode>(e) is { } precision) Recipe(r => r with { Precision = precision });
                    break;
                case RecipeFields.ImageSize:
                    if (Whole(e, int.MinValue, int.MaxValue) is { } size) Recipe(r => r with { ImageSize = (int)size });
                    break;
                case RecipeFields.BatchSize:
                    if (Whole(e, int.MinValue, int.MaxValue) is { } batch) Recipe(r => r with { BatchSize = (int)batch });
                    break;
                case RecipeFields.Steps:
                    if (Whole(e, long.MinValue, long.MaxValue) is { } steps) Recipe(r => r with { Steps = steps });
                    break;
                case RecipeFields.Seed:
                    if (Whole(e, long.MinValue, long.MaxValue) is { } seed) Recipe(r => r with { Seed = seed });
                    break;
                case RecipeFields.WarmupSteps:
                    if (Whole(e, long.MinValue, long.MaxValue) is { } warmup) Recipe(r => r with { WarmupSteps = warmup });
                    break;
                case RecipeFields.CheckpointEvery:
                    if (Whole(e, long.MinValue, long.MaxValue) is { } every) Recipe(r => r with { CheckpointEvery = every });
                    break;
                case RecipeFields.ReportEvery:
                    if (Whole(e, int.MinValue, int.MaxValue) is { } report) Recipe(r => r with { ReportEvery = (int)report });
                    break;
                case RecipeFields.Samples:
                    if (Whole(e, int.MinValue, int.MaxValue) is { } samples) Recipe(r => r with { Samples = (int)samples });
                    break;
                case RecipeFields.LearningRate:
                    if (Real(e) is { } lr) Recipe(r => r with { LearningRate = lr });
                    break;
                case RecipeFields.EmaDecay:
                    if (Real(e) is { } ema) Recipe(r => r with { EmaDecay = ema });
                    break;
                case RecipeFields.Dropout:
                    if (Real(e) is { } dropout) Recipe(r => r with { Dropout = dropout });
                    break;
                case RecipeFields.GradClip:
                    // null (or ~) turns clipping off, as leaving the key out does.
                    if (e.Value.Kind == RawKind.Null) Recipe(r => r with { GradClip = null });
                    else if (Real(e) is { } clip) Recipe(r => r with { GradClip = clip });
                    break;
                default:
                    var guess = JobSpecKeys.Suggest(e.Key);
                    errors.Add(new JobSpecError(source, e.Line, e.Key,
                        "unknown key" + (guess is null ? $" (known keys: {string.Join(", ", JobSpecKeys.All)})" : $"; did you mean '{guess}'?")));
                    break;
            }
        }

        private string? Text(RawEntry e)
        {
            var v = e.Value;
            if (v.Kind == RawKind.Text || (v.Plain && v.Kind is RawKind.Number or RawKind.Bool)) return v.Text;
            Error(e, $"expected text, got {v.Describe()}");
            return null;
        }

        private string? NonEmptyText(RawEntry e)
        {
            var text = Text(e);
            if (text is null) return null;
            if (text.Trim().Length > 0) return text.Trim();
            Error(e, "must not be empty");
            return null;
        }

        private T? Choice<T>(RawEntry e) where T : struct, Enum
        {
            var text = Text(e);
            if (text is null) return null;
            if (SpecNames.TryParse<T>(text, out var value)) return value;
            Error(e, SpecNames.MustBeOneOf<T>(text));
            return null;
        }

        private long? Whole(RawEntry e, long min, long max)
        {
            var v = e.Value;
            if (v.Kind != RawKind.Number)
            {
                Error(e, $"expected a whole number, got {v.Describe()}");
                return null;
            }
            long value;
            if (!long.TryParse(v.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            {
                // 1e4 and 64.0 are whole numbers too; 2.5 is not.
                if (!double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)
                    || real != Math.Floor(real) || Math.Abs(real) > 9e15)
                {
                    Error(e, $"expected a whole number, got {v.Text}");
                    return null;
                }
                value = (long)real;
            }
            if (value < min || value > max)
            {
                Error(e, $"must be between {min} and {max}, got {value}");
                return null;
            }
            return value;
        }

        private double? Real(RawEntry e)
        {
            var v = e.Value;
            if (v.Kind != RawKind.Number || !double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                Error(e, $"expected a number, got {v.Describe()}");
                return null;
            }
            if (double.IsFinite(value)) return value;
            Error(e, $"must be a finite number, got {v.Text}");
            return null;
        }
    }
}
