using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaletteCluster.CheckpointFormat;

namespace PaletteCluster.Storage.Tests;

/// <summary>
/// Writes tiny checkpoint folders in our format (docs/checkpoint-format.md) by hand: valid safetensors files with a
/// few F32 tensors and a manifest.json listing their sizes and SHA-256. (The real CheckpointWriter needs TorchSharp.)
/// </summary>
internal static class FakeCheckpoint
{
    public static string Write(string parentFolder, long step, int seed = 0)
    {
        var folder = Path.Combine(parentFolder, CheckpointFolders.StepFolderName(step));
        Directory.CreateDirectory(folder);
        var random = new Random(seed + (int)step);
        var files = new JsonObject();
        foreach (var (file, tensors) in new[]
                 {
                     ("ema.safetensors", new[] { "weight" }),
                     ("model.safetensors", new[] { "weight" }),
                     ("optimizer.safetensors", new[] { "exp_avg/weight", "exp_avg_sq/weight" }),
                 })
        {
            var bytes = SafeTensors(tensors.ToDictionary(t => t, _ => Floats(random, 48)));
            File.WriteAllBytes(Path.Combine(folder, file), bytes);
            files[file] = new JsonObject { ["bytes"] = bytes.Length, ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)) };
        }
        var manifest = new JsonObject
        {
            ["format"] = "palette-checkpoint",
            ["formatVersion"] = 1,
            ["step"] = step,
            ["createdUtc"] = new DateTime(2025, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc).AddSeconds(step).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["config"] = new JsonObject { ["lr"] = 0.0001 },
            ["state"] = new JsonObject { ["adamStep"] = step },
            ["rng"] = new JsonObject { ["torch.cpu"] = Convert.ToBase64String([1, 2, 3, (byte)seed]) },
            ["dataPosition"] = new JsonObject { ["epoch"] = 0, ["index"] = step * 8 },
            ["files"] = files,
        };
        File.WriteAllText(Path.Combine(folder, "manifest.json"), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return folder;
    }

    private static float[] Floats(Random random, int count) => Enumerable.Range(0, count).Select(_ => random.NextSingle()).ToArray();

    /// <summary>safetensors: u64 header length, JSON header padded with spaces to a multiple of 8, then raw little-endian data.</summary>
    private static byte[] SafeTensors(Dictionary<string, float[]> tensors)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, values) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(values.Length),
                ["data_offsets"] = new JsonArray(offset, offset + values.Length * 4L),
            };
            offset += values.Length * 4L;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 8 + 7) / 8 * 8 - 8;
        using var output = new MemoryStream();
        output.Write(BitConverter.GetBytes((ulong)padded));
        output.Write(json);
        output.Write(Enumerable.Repeat((byte)' ', padded - json.Length).ToArray());
        foreach (var (_, values) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
            foreach (var v in values) output.Write(BitConverter.GetBytes(v));
        return output.ToArray();
    }
}
