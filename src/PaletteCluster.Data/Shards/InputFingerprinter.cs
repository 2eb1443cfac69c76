using System.Security.Cryptography;
using System.Text;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// Identifies a build's inputs cheaply: SHA-256 over the format version, the settings that shape the output, and
/// each input's relative path, absolute path, size and mtime in sorted order. File contents are not hashed (that would
/// read the whole dataset just to learn nothing changed); a rewrite that keeps size and mtime needs Force.
/// </summary>
public static class InputFingerprinter
{
    public const string Method = "sha256(version, settings, sorted relative path + absolute path + size + mtime)";

    public static string Compute(IReadOnlyList<ShardInput> inputs, ShardBuildSettings settings)
    {
        var sb = new StringBuilder();
        sb.Append("v").Append(ShardFormat.Version).Append('\n');
        sb.Append("base\t").Append(settings.BaseDirectory).Append('\n');
        sb.Append("target\t").Append(settings.TargetShardBytes).Append('\n');
        sb.Append("maxPixels\t").Append(settings.MaxPixels).Append('\n');
        sb.Append("maxFileBytes\t").Append(settings.MaxFileBytes).Append('\n');
        foreach (var i in inputs)
            sb.Append(i.RelativePath).Append('\t').Append(i.FullPath).Append('\t')
              .Append(i.Length).Append('\t').Append(i.LastWriteUtcTicks).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
