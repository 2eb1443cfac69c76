using System.Globalization;

namespace PaletteCluster.Recipes;

/// <summary>
/// A noise schedule described by value, as written on a command line or in a checkpoint:
/// <c>linear:2000:1e-6:0.01</c>, <c>cosine:1000</c>, <c>constant:1000:0.02</c>.
/// </summary>
/// <param name="Kind">Shape of the beta curve.</param>
/// <param name="Steps">Number of diffusion steps T.</param>
/// <param name="Start">First beta (unused by Cosine and Constant).</param>
/// <param name="End">Last beta (unused by Cosine).</param>
public sealed record NoiseScheduleSpec(ScheduleKind Kind, int Steps, double Start = 0, double End = 0)
{
    /// <summary>The Palette training schedule: linear betas 1e-6 to 0.01 over 2000 steps.</summary>
    public static NoiseScheduleSpec PaletteTrain { get; } = new(ScheduleKind.Linear, 2000, 1e-6, 0.01);

    /// <summary>The Palette inference schedule: linear betas 1e-4 to 0.09 over 1000 steps.</summary>
    public static NoiseScheduleSpec PaletteInference { get; } = new(ScheduleKind.Linear, 1000, 1e-4, 0.09);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that cannot define a schedule.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new ArgumentException($"Noise schedule kind {(int)Kind} is not a known ScheduleKind.", nameof(Kind));
        if (Steps < 1)
            throw new ArgumentException($"Noise schedule steps must be at least 1, got {Steps}.", nameof(Steps));
        if (Kind == ScheduleKind.Cosine)
            return;
        // Constant ignores Start, so only End must be a usable beta there.
        if (Kind != ScheduleKind.Constant && !IsBeta(Start))
            throw new ArgumentException($"Noise schedule start beta must lie in (0, 1), got {Format(Start)}.", nameof(Start));
        if (!IsBeta(End))
            throw new ArgumentException($"Noise schedule end beta must lie in (0, 1), got {Format(End)}.", nameof(End));
    }

    /// <summary>Parses <c>kind:steps[:start:end]</c>; the inverse of <see cref="ToString"/>.</summary>
    public static NoiseScheduleSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(':');
        var kindText = parts[0].Trim();
        if (!TryParseKind(kindText, out var kind))
            throw new ArgumentException(
                $"Noise schedule '{text}': unknown kind '{kindText}' (expected one of {string.Join(", ", Enum.GetNames<ScheduleKind>().Select(n => n.ToLowerInvariant()))}).",
                nameof(text));

        var expected = kind switch
        {
            ScheduleKind.Cosine => "cosine:steps",
            ScheduleKind.Constant => "constant:steps:beta or constant:steps:start:end",
            _ => $"{Name(kind)}:steps:start:end",
        };
        var fieldsOk = kind switch
        {
            ScheduleKind.Cosine => parts.Length == 2,
            ScheduleKind.Constant => parts.Length is 3 or 4,
            _ => parts.Length == 4,
        };
        if (!fieldsOk)
            throw new ArgumentException($"Noise schedule '{text}': expected the form {expected}, got {parts.Length} field(s).", nameof(text));

        if (!int.TryParse(parts[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var steps))
            throw new ArgumentException($"Noise schedule '{text}': steps '{parts[1]}' is not an integer.", nameof(text));

        double start = 0, end = 0;
        if (parts.Length == 3)
            start = end = ParseNumber(text, "beta", parts[2]);
        else if (parts.Length == 4)
        {
            start = ParseNumber(text, "start", parts[2]);
            end = ParseNumber(text, "end", parts[3]);
        }

        var spec = new NoiseScheduleSpec(kind, steps, start, end);
        try
        {
            spec.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Noise schedule '{text}': {e.Message}", nameof(text), e);
        }
        return spec;
    }

    /// <summary>Writes the spec in the form <see cref="Parse"/> reads, with round-trip precision.</summary>
    public override string ToString() => Kind == ScheduleKind.Cosine
        ? $"{Name(Kind)}:{Steps.ToString(CultureInfo.InvariantCulture)}"
        : $"{Name(Kind)}:{Steps.ToString(CultureInfo.InvariantCulture)}:{Format(Start)}:{Format(End)}";

    private static string Name(ScheduleKind kind) => kind.ToString().ToLowerInvariant();

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static bool IsBeta(double value) => value > 0 && value < 1;

    private static bool TryParseKind(string text, out ScheduleKind kind)
    {
        // Enum.TryParse would also accept numbers ("2"), which are no way to name a schedule.
        foreach (var candidate in Enum.GetValues<ScheduleKind>())
        {
            if (string.Equals(candidate.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }

    private static double ParseNumber(string text, string field, string value)
    {
        if (!double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            throw new ArgumentException($"Noise schedule '{text}': {field} '{value}' is not a number.", nameof(text));
        return number;
    }
}
