using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using PaletteCluster.Storage;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// Reading a shard set's files in a blob store. The store's root holds the same names as a local shard folder
/// (manifest.json, report.json, shard-NNNNNN.tar), so a <see cref="FileSystemBlobStore"/> root is a shard folder.
/// </summary>
internal static partial class ShardStoreFiles
{
    /// <summary>The list prefix that finds every shard blob.</summary>
    public const string ShardPrefix = "shard-";

    /// <summary>The whole blob, or null when it does not exist. For small files (manifest, report).</summary>
    public static async Task<byte[]?> TryReadAsync(IBlobStore store, string name, CancellationToken ct)
    {
        try
        {
            await using var stream = await store.OpenReadAsync(name, ct);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct);
            return copy.ToArray();
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The manifest in <paramref name="bytes"/>, or null when it does not parse.</summary>
    public static ShardManifest? TryParseManifest(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<ShardManifest>(bytes, ShardFormat.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Lowercase hex SHA-256 of a blob, streamed (nothing lands on disk).</summary>
    public static async Task<string> HashAsync(IBlobStore store, string name, CancellationToken ct)
    {
        await using var stream = await store.OpenReadAsync(name, ct);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    /// <summary>
    /// True for a plain shard file name (no folders, not hidden): a manifest naming anything else is refused, so a
    /// crafted manifest can neither write outside a cache folder nor make a publish delete unrelated blobs.
    /// </summary>
    public static bool IsShardFileName(string name) => ShardFileNamePattern().IsMatch(name);

    [GeneratedRegex(@"^shard-[0-9]{6,}\.tar$")]
    private static partial Regex ShardFileNamePattern();
}
