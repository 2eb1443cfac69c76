using System.Text.Json;
using System.Text.Json.Serialization;
using Orleans.Storage;

namespace PaletteCluster.Hosting.Storage;

/// <summary>
/// Grain state as plain JSON: property names exactly as declared, enums by name, no CLR type names. The stored
/// form depends only on property names, so state types can move between namespaces or assemblies (and enum
/// members can be reordered) without breaking what is already stored in files or PostgreSQL.
/// </summary>
public sealed class JsonGrainStateSerializer : IGrainStorageSerializer
{
    private readonly JsonSerializerOptions _options;

    public JsonGrainStateSerializer(JsonSerializerOptions? options = null)
    {
        _options = options ?? CreateDefaultOptions();
    }

    public static JsonSerializerOptions CreateDefaultOptions() => new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = null,
        Converters = { new JsonStringEnumConverter() },
        // Unknown properties are written by newer versions; older readers skip them rather than fail.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, _options));

    public T? Deserialize<T>(BinaryData input) => JsonSerializer.Deserialize<T>(input.ToMemory().Span, _options);
}
