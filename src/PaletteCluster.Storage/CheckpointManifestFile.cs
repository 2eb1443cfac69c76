using System.Security.Cryptography;
using System.Text.Json;

namespace PaletteCluster.Storage;

/// <summary>
/// The parts of a checkpoint's manifest.json (docs/checkpoint-format.md) that storage needs: the step and every
/// listed file's size and SHA-256. Read as plain JSON so this project does not depend on TorchSharp through
/// PaletteCluster.Checkpoints; the checks mirror that project's reader.
/// </summary>
internal sealed record CheckpointManifestFile(long Step, IReadOnlyDictionary<string, (long Bytes, string Sha256)> Files)
{
    public const string FileName = "manifest.json";
    private const string FormatName = "palette-checkpoint";
    private const int NewestFormatVersion = 1;

    public long TotalBytes => Files.Values.Sum(f => f.Bytes);

    /// <summary>Parses manifest JSON; throws <see cref="InvalidDataException"/> with a reason (no location prefix).</summary>
    public static CheckpointManifestFile Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{FileName} is not a JSON object");
            var format = root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            if (format != FormatName) throw new InvalidDataException($"{FileName} has format '{format ?? "(missing)"}', expected '{FormatName}'");
            if (!root.TryGetProperty("formatVersion", out var v) || !v.TryGetInt32(out var version) || version < 1 || version > NewestFormatVersion)
                throw new InvalidDataException($"{FileName} has an unsupported or missing formatVersion (this build reads 1 to {NewestFormatVersion})");
            if (!root.TryGetProperty("step", out var s) || !s.TryGetInt64(out var step) || step < 0)
                throw new InvalidDataException($"{FileName} has no valid 'step'");
            if (!root.TryGetProperty("files", out var filesElement) || filesElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{FileName} has no 'files' object");

            var files = new SortedDictionary<string, (long, string)>(StringComparer.Ordinal);
            foreach (var file in filesElement.EnumerateObject())
            {
                if (!IsValidFileName(file.Name)) throw new InvalidDataException($"{FileName} lists an invalid file name '{file.Name}'");
                var entry = file.Value;
                if (entry.ValueKind != JsonValueKind.Object
                    || !entry.TryGetProperty("bytes", out var b) || !b.TryGetInt64(out var bytes) || bytes < 0
                    || !entry.TryGetProperty("sha256", out var h) || h.ValueKind != JsonValueKind.String || !IsSha256Hex(h.GetString()!))
                    throw new InvalidDataException($"{FileName} has an invalid size/SHA-256 entry for file {file.Name}");
                files[file.Name] = (bytes, h.GetString()!);
            }
            return new CheckpointManifestFile(step, files);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{FileName} is not valid JSON ({ex.Message})", ex);
        }
    }

    /// <summary>Null when <paramref name="path"/> has the listed size and SHA-256, else what is wrong with file <paramref name="name"/>.</summary>
    public string? Check(string name, string path)
    {
        var (bytes, sha256) = Files[name];
        if (!File.Exists(path)) return $"file {name} is missing";
        var size = new FileInfo(path).Length;
        if (size != bytes)
            return $"file {name} has {size} bytes but {FileName} says {bytes}" + (size < bytes ? " (truncated)" : "");
        var actual = HashFile(path);
        return actual == sha256 ? null : $"file {name} is corrupt: SHA-256 is {actual} but {FileName} says {sha256}";
    }

    public static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    // Same rule as CheckpointFiles.IsValidFileName: a plain, non-hidden file name other than the manifest.
    private static bool IsValidFileName(string name) =>
        !string.IsNullOrWhiteSpace(name) && name == Path.GetFileName(name) && name.IndexOfAny(['/', '\\', '\0']) < 0
        && !name.StartsWith('.') && name != FileName;

    private static bool IsSha256Hex(string s) => s.Length == 64 && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
