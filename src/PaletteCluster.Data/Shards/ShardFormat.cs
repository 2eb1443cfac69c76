using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PaletteCluster.Data.Shards;

/// <summary>Names and constants of the shard format (see docs/shard-format.md).</summary>
public static class ShardFormat
{
    /// <summary>Bump when the layout of shards, sidecars or manifest changes incompatibly.</summary>
    public const int Version = 1;
    public const string ManifestFileName = "manifest.json";
    public const string ReportFileName = "report.json";
    public const string MetadataExtension = ".json";
    public const string Generator = "PaletteCluster.Data.Shards";

    /// <summary>shard-000000.tar, shard-000001.tar, ...</summary>
    public static string ShardFileName(int index) => $"shard-{index:D6}.tar";

    /// <summary>The tar extension for a detected image format ("jpeg" -> ".jpg", "png" -> ".png").</summary>
    public static string ExtensionFor(ImageFormatKind format) => format switch
    {
        ImageFormatKind.Jpeg => ".jpg",
        ImageFormatKind.Png => ".png",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "only JPEG and PNG are stored in shards"),
    };

    /// <summary>
    /// camelCase, indented, kebab-case enum names. Built once and made read-only, so sharing it is safe.
    /// </summary>
    internal static readonly JsonSerializerOptions Json = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        o.MakeReadOnly();
        return o;
    }

    /// <summary>Sidecar JSON is compact (one line) to keep shards small.</summary>
    internal static readonly JsonSerializerOptions CompactJson = CreateCompact();

    private static JsonSerializerOptions CreateCompact()
    {
        var o = new JsonSerializerOptions(Json) { WriteIndented = false };
        o.MakeReadOnly();
        return o;
    }
}

/// <summary>Image formats the builder recognises by their leading bytes.</summary>
public enum ImageFormatKind { Unknown, Jpeg, Png, Gif, Bmp, WebP }
