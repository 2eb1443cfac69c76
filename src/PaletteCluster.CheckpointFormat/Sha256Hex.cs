using System.Security.Cryptography;

namespace PaletteCluster.CheckpointFormat;

/// <summary>SHA-256 as manifest.json records it: 64 lowercase hex digits.</summary>
public static class Sha256Hex
{
    /// <summary>Hash of everything from the stream's current position to its end.</summary>
    public static string Of(Stream stream) => Convert.ToHexStringLower(SHA256.HashData(stream));

    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Of(stream);
    }

    /// <summary>True for text shaped like a recorded hash (so a manifest with a typo is refused, not compared).</summary>
    public static bool IsValid(string? text) =>
        text is { Length: 64 } && text.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
