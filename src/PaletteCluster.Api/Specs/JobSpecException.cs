namespace PaletteCluster.Api.Specs;

/// <summary>A job spec that cannot be used; the message lists every problem found, one per line.</summary>
public sealed class JobSpecException : Exception
{
    public JobSpecException(string source, IReadOnlyList<JobSpecError> errors)
        : base(Format(source, errors.Select(e => e.ToString()).ToList()))
    {
        SpecName = source;
        Errors = errors;
    }

    /// <summary>For problems found after reading (validators), which have no line.</summary>
    public JobSpecException(string source, IReadOnlyList<string> problems) : base(Format(source, problems))
    {
        SpecName = source;
        Errors = [];
    }

    /// <summary>The spec as its errors name it (usually the file name).</summary>
    public string SpecName { get; }
    public IReadOnlyList<JobSpecError> Errors { get; }

    private static string Format(string source, IReadOnlyList<string> problems) =>
        $"job spec {source} is invalid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):"
        + string.Concat(problems.Select(p => "\n  " + p));
}
