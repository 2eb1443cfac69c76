using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PaletteCluster.Recipes;

namespace PaletteCluster.Abstractions;

/// <summary>
/// Writes a JobSpec as one flat object, the job fields (Name, Data, Workers) beside the recipe's, exactly the shape
/// JobSpec had before the recipe was its own type; so job grain state stored by earlier versions loads, and the
/// stored form does not change. Property names follow the serializer's naming policy.
/// </summary>
public sealed class JobSpecJsonConverter : JsonConverter<JobSpec>
{
    public override JobSpec? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        var json = JsonSerializer.Deserialize<JsonObject>(ref reader, options) ?? throw new JsonException("a job spec must be an object");
        var spec = new JobSpec();
        string? name = Take<string>(json, NameOf(nameof(JobSpec.Name), options), options);
        string? data = Take<string>(json, NameOf(nameof(JobSpec.Data), options), options);
        int? workers = Take<int?>(json, NameOf(nameof(JobSpec.Workers), options), options);
        return spec with
        {
            Name = name ?? spec.Name,
            Data = data ?? spec.Data,
            Workers = workers ?? spec.Workers,
            Recipe = json.Deserialize<TrainingRecipe>(options) ?? spec.Recipe,
        };
    }

    public override void Write(Utf8JsonWriter writer, JobSpec value, JsonSerializerOptions options)
    {
        var flat = new JsonObject
        {
            [NameOf(nameof(JobSpec.Name), options)] = value.Name,
            [NameOf(nameof(JobSpec.Data), options)] = value.Data,
        };
        foreach (var (key, node) in JsonSerializer.SerializeToNode(value.Recipe, options)!.AsObject().ToList())
            flat[key] = node?.DeepClone();
        flat[NameOf(nameof(JobSpec.Workers), options)] = value.Workers;
        flat.WriteTo(writer, options);
    }

    private static string NameOf(string property, JsonSerializerOptions options) =>
        options.PropertyNamingPolicy?.ConvertName(property) ?? property;

    /// <summary>Removes the key (matched as the options match keys) and returns its value.</summary>
    private static T? Take<T>(JsonObject json, string key, JsonSerializerOptions options)
    {
        var match = json.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, key,
            options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
        if (match is null) return default;
        var node = json[match];
        json.Remove(match);
        return node is null ? default : node.Deserialize<T>(options);
    }
}
