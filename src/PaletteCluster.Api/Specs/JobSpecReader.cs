using System.Globalization;
using PaletteCluster.Abstractions;

namespace PaletteCluster.Api.Specs;

/// <summary>
/// Reads a job spec file (YAML or JSON, snake_case keys) into a <see cref="JobSpec"/>. Strict: unknown keys, wrong
/// types, out-of-range values and missing required keys are all collected, each with file, line and key, and thrown
/// together as one <see cref="JobSpecException"/>. Keys left out take JobSpec's defaults.
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
        var spec = Read(text, Path.GetFileName(path), FormatOf(path, text));
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return spec with
        {
            Data = Path.IsPathRooted(spec.Data) ? spec.Data : Path.GetFullPath(Path.Combine(folder, spec.Data)),
            Name = spec.Name.Length > 0 ? spec.Name : Path.GetFileNameWithoutExtension(path),
        };
    }

    /// <param name="source">Named in every error (usually the file name).</param>
    /// <param name="format">Null: JSON if the text starts with '{', YAML otherwise.</param>
    public static JobSpec Read(string text, string source, JobSpecFormat? format = null)
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
                seen[entry.Key] = entry.Line;
                binder.Bind(entry);
            }
        }
        foreach (var key in JobSpecKeys.Required.Where(k => !seen.ContainsKey(k)))
            errors.Add(new JobSpecError(source, raw.Line, key, "required key is missing"));

        if (errors.Count > 0) throw new JobSpecException(source, errors.OrderBy(e => e.Line).ToList());
        return binder.Spec;
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

    /// <summary>Binds entries one by one onto a JobSpec, recording what is wrong instead of stopping at it.</summary>
    private sealed class Binder(string source, List<JobSpecError> errors)
    {
        public JobSpec Spec { get; private set; } = new();

        public void Error(RawEntry entry, string message) => errors.Add(new JobSpecError(source, entry.Value.Line, entry.Key, message));

        public void Bind(RawEntry e)
        {
            switch (e.Key)
            {
                case "name":
                    if (Text(e) is { } name) Spec = Spec with { Name = name };
                    break;
                case "data":
                    if (NonEmptyText(e) is { } data) Spec = Spec with { Data = data };
                    break;
                case "task":
                    if (NonEmptyText(e) is { } task) Spec = Spec with { Task = task };
                    break;
                case "schedule":
                    if (NonEmptyText(e) is { } schedule) Spec = Spec with { Schedule = schedule };
                    break;
                case "preset":
                    if (OneOf(e, "tiny", "small", "adm") is { } preset) Spec = Spec with { Preset = preset };
                    break;
                case "loss":
                    if (OneOf(e, "l1", "l2") is { } loss) Spec = Spec with { Loss = loss };
                    break;
                case "precision":
                    if (OneOf(e, "fp32", "bf16") is { } precision) Spec = Spec with { Precision = precision };
                    break;
                case "image_size":
                    if (Whole(e, 8, 4096) is { } size)
                    {
                        if (size % 8 != 0) Error(e, $"must be a multiple of 8 (the network halves it 3 times), got {size}");
                        else Spec = Spec with { ImageSize = (int)size };
                    }
                    break;
                case "batch_size":
                    if (Whole(e, 1, 65536) is { } batch) Spec = Spec with { BatchSize = (int)batch };
                    break;
                case "steps":
                    if (Whole(e, 1, long.MaxValue) is { } steps) Spec = Spec with { Steps = steps };
                    break;
                case "seed":
                    if (Whole(e, long.MinValue, long.MaxValue) is { } seed) Spec = Spec with { Seed = seed };
                    break;
                case "warmup_steps":
                    if (Whole(e, 0, long.MaxValue) is { } warmup) Spec = Spec with { WarmupSteps = warmup };
                    break;
                case "checkpoint_every":
                    if (Whole(e, 1, long.MaxValue) is { } every) Spec = Spec with { CheckpointEvery = every };
                    break;
                case "report_every":
                    if (Whole(e, 1, int.MaxValue) is { } report) Spec = Spec with { ReportEvery = (int)report };
                    break;
                case "samples":
                    if (Whole(e, 0, 1024) is { } samples) Spec = Spec with { Samples = (int)samples };
                    break;
                case "workers":
                    if (Whole(e, 1, int.MaxValue) is { } workers)
                    {
                        if (workers != 1) Error(e, $"multi-worker training is not available yet: workers must be 1, got {workers}");
                        else Spec = Spec with { Workers = 1 };
                    }
                    break;
                case "learning_rate":
                    if (Real(e, 0, 1, minInclusive: false, maxInclusive: false) is { } lr) Spec = Spec with { LearningRate = lr };
                    break;
                case "ema_decay":
                    if (Real(e, 0, 1, minInclusive: true, maxInclusive: true) is { } ema) Spec = Spec with { EmaDecay = ema };
                    break;
                case "dropout":
                    if (Real(e, 0, 1, minInclusive: true, maxInclusive: false) is { } dropout) Spec = Spec with { Dropout = dropout };
                    break;
                case "grad_clip":
                    // null (or ~) turns clipping off, as leaving the key out does.
                    if (e.Value.Kind == RawKind.Null) Spec = Spec with { GradClip = null };
                    else if (Real(e, 0, double.MaxValue, minInclusive: false, maxInclusive: true) is { } clip) Spec = Spec with { GradClip = clip };
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

        private string? OneOf(RawEntry e, params string[] allowed)
        {
            var text = Text(e);
            if (text is null) return null;
            var lower = text.Trim().ToLowerInvariant();
            if (allowed.Contains(lower)) return lower;
            Error(e, $"must be one of {string.Join(", ", allowed)}; got '{text}'");
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
                Error(e, max == long.MaxValue || max == int.MaxValue
                    ? $"must be at least {min}, got {value}"
                    : $"must be between {min} and {max}, got {value}");
                return null;
            }
            return value;
        }

        private double? Real(RawEntry e, double min, double max, bool minInclusive, bool maxInclusive)
        {
            var v = e.Value;
            if (v.Kind != RawKind.Number || !double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                Error(e, $"expected a number, got {v.Describe()}");
                return null;
            }
            bool aboveMin = minInclusive ? value >= min : value > min;
            bool belowMax = maxInclusive ? value <= max : value < max;
            if (!double.IsFinite(value) || !aboveMin || !belowMax)
            {
                var text = value.ToString(CultureInfo.InvariantCulture);
                Error(e, max == double.MaxValue
                    ? $"must be greater than {min.ToString(CultureInfo.InvariantCulture)}, got {text}"
                    : $"must be in {(minInclusive ? "[" : "(")}{min.ToString(CultureInfo.InvariantCulture)}, "
                      + $"{max.ToString(CultureInfo.InvariantCulture)}{(maxInclusive ? "]" : ")")}, got {text}");
                return null;
            }
            return value;
        }
    }
}
