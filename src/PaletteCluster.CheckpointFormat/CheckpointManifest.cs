using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PaletteCluster.CheckpointFormat;

/// <summary>Size and SHA-256 (lowercase hex) of one file of a checkpoint folder.</summary>
public sealed record CheckpointFileEntry(long Bytes, string Sha256);

/// <summary>
/// Contents of <c>manifest.json</c>, the last file written into a checkpoint folder. Serialized as indented,
/// camelCase JSON. <see cref="Config"/>, <see cref="State"/> and <see cref="DataPosition"/> are free-form JSON
/// objects owned by the caller; <see cref="Rng"/> maps a generator name to its state bytes in base64;
/// <see cref="Files"/> lists every other file of the folder with its byte size and SHA-256.
/// </summary>
public sealed record CheckpointManifest
{
    /// <summary>Value of <see cref="Format"/>.</summary>
    public const string FormatName = "palette-checkpoint";

    /// <summary>The format version this code writes and the newest it reads.</summary>
    public const int CurrentFormatVersion = 1;

    public string Format { get; init; } = FormatName;
    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public long Step { get; init; }

    /// <summary>Creation time, UTC, serialized as ISO 8601 with a trailing Z (millisecond precision).</summary>
    public DateTime CreatedUtc { get; init; }

    public JsonObject Config { get; init; } = new();
    public JsonObject State { get; init; } = new();
    public IReadOnlyDictionary<string, string> Rng { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
    public JsonObject DataPosition { get; init; } = new();
    public IReadOnlyDictionary<string, CheckpointFileEntry> Files { get; init; } =
        new SortedDictionary<string, CheckpointFileEntry>(StringComparer.Ordinal);

    /// <summary>Serializer options used for manifest.json (camelCase, indented).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A file, not HTML: keep '+', '<', non-ASCII etc. readable instead of \uXXXX-escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Sum of the listed files' sizes (the manifest itself not included).</summary>
    [JsonIgnore]
    public long TotalBytes => Files.Values.Sum(f => f.Bytes);

    /// <summary>Decoded bytes of the RNG state <paramref name="name"/>, or null if absent.</summary>
    public byte[]? GetRngState(string name) =>
        Rng.TryGetValue(name, out var b64) ? Convert.FromBase64String(b64) : null;

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions) + "\n";

    public byte[] ToJsonBytes() => Encoding.UTF8.GetBytes(ToJson());

    /// <summary>
    /// Parses and validates manifest JSON. <paramref name="sourceName"/> prefixes error messages (e.g.
    /// "checkpoint runs/x/step-000010"). Throws <see cref="CheckpointException"/> for unparseable JSON, a
    /// different format, an unsupported version, or missing/invalid fields.
    /// </summary>
    public static CheckpointManifest Parse(string json, string sourceName)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new CheckpointException($"{sourceName}: {CheckpointFiles.Manifest} is not valid JSON ({ex.Message})", ex);
        }
        if (root is not JsonObject obj)
            throw new CheckpointException($"{sourceName}: {CheckpointFiles.Manifest} is not a JSON object");

        string? format = TryGet<string>(obj, "format");
        if (format != FormatName)
            throw new CheckpointException(
                $"{sourceName}: {CheckpointFiles.Manifest} has format '{format ?? "(missing)"}', expected '{FormatName}'");
        int? version = TryGet<int?>(obj, "formatVersion");
        if (version is null)
            throw new CheckpointException($"{sourceName}: {CheckpointFiles.Manifest} has no valid formatVersion");
        if (version < 1 || version > CurrentFormatVersion)
            throw new CheckpointException(
                $"{sourceName}: unsupported checkpoint format version {version} (this build reads versions 1 to {CurrentFormatVersion})");

        foreach (var required in new[] { "step", "createdUtc", "files" })
            if (obj[required] is null)
                throw new CheckpointException($"{sourceName}: {CheckpointFiles.Manifest} has no '{required}' field");

        CheckpointManifest? manifest;
        try
        {
            manifest = obj.Deserialize<CheckpointManifest>(JsonOptions);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            throw new CheckpointException($"{sourceName}: {CheckpointFiles.Manifest} has invalid fields ({ex.Message})", ex);
        }
        if (manifest is null)
            throw new CheckpointException($"{sourceName}: {CheckpointFiles.Manifest} is empty");

        manifest = manifest with
        {
            Config = manifest.Config ?? new JsonObject(),
            State = manifest.State ?? new JsonObject(),
            DataPosition = manifest.DataPosition ?? new JsonObject(),
            Rng = manifest.Rng ?? new Dictionary<string, string>(),
            Files = manifest.Files ?? new Dictionary<string, CheckpointFileEntry>(),
            CreatedUtc = DateTime.SpecifyKind(manifest.CreatedUtc, DateTimeKind.Utc),
        };
        if (manifest.Step < 0)
            throw new CheckpointException($"{sourceName}: {CheckpointFiles.Manifest} has a negative step {manifest.Step}");
        foreach (var (name, entry) in manifest.Files)
        {
            if (!CheckpointFiles.IsValidFileName(name))
                throw new CheckpointException($"{sourceName}: {CheckpointFiles.Manifest} lists an invalid file name '{name}'");
            if (entry is null || entry.Bytes < 0 || !Sha256Hex.IsValid(entry.Sha256))
                throw new CheckpointException(
                    $"{sourceName}: {CheckpointFiles.Manifest} has an invalid size/SHA-256 entry for file {name}");
        }
        foreach (var (name, b64) in manifest.Rng)
        {
            if (b64 is null || !IsBase64(b64))
                throw new CheckpointException($"{sourceName}: {CheckpointFiles.Manifest} has invalid base64 for RNG state '{name}'");
        }
        return manifest;
    }

    private static T? TryGet<T>(JsonObject obj, string name)
    {
        try
        {
            return obj[name] is JsonValue v && v.TryGetValue<T>(out var value) ? value : default;
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            return default;
        }
    }

    private static bool IsBase64(string s)
    {
        var buffer = new byte[(s.Length * 3 + 3) / 4];
        return Convert.TryFromBase64String(s, buffer, out _);
    }
}
