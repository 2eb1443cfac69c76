using System.Text.Json;
using System.Text.Json.Serialization;

namespace PaletteCluster.Recipes;

/// <summary>
/// The lower-case names recipe enums have in spec files, on the command line and on the wire ("tiny", "l1", "bf16").
/// </summary>
public static class SpecNames
{
    public static string Of<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Of).ToList();

    /// <summary>By name, ignoring case; numbers ("1"), which Enum.TryParse would take, are no way to name a choice.</summary>
    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(Of(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>"must be one of tiny, small, adm; got 'huge'".</summary>
    public static string MustBeOneOf<T>(string? got) where T : struct, Enum => $"must be one of {string.Join(", ", All<T>())}; got '{got}'";
}

/// <summary>Writes a recipe enum by its spec name; reads any letter case, so "L1" (older checkpoints) and "l1" both load.</summary>
public sealed class SpecNameEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where T : struct, Enum;
