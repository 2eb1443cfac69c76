namespace PaletteCluster.Api.Specs;

/// <summary>One problem in a job spec file: where it is (file, line, key) and what is wrong.</summary>
public sealed record JobSpecError(string Source, int Line, string? Key, string Message)
{
    public override string ToString() => Key is null ? $"{Source}:{Line}: {Message}" : $"{Source}:{Line}: {Key}: {Message}";
}
