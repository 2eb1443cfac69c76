using System.Text.Json;
using PaletteCluster.Abstractions;

namespace PaletteCluster.Api.Specs;

/// <summary>
/// Writes a JobSpec as canonical JSON: every key, snake_case, in <see cref="JobSpecKeys.All"/> order, so the same spec
/// always prints the same way and reads back (<see cref="JobSpecReader"/>) to an equal JobSpec. The keys come from the
/// recipe's properties (see <see cref="JobSpecJsonConverter"/>), so a new recipe field needs nothing here.
/// </summary>
public static class JobSpecWriter
{
    private static readonly JsonSerializerOptions Compact = Options(indented: false);
    private static readonly JsonSerializerOptions Indented = Options(indented: true);

    public static string ToJson(JobSpec spec, bool indented = true) => JsonSerializer.Serialize(spec, indented ? Indented : Compact);

    private static JsonSerializerOptions Options(bool indented)
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = indented };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
