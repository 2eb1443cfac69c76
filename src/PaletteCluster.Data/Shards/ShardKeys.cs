using System.Security.Cryptography;
using System.Text;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// Record keys from relative paths. WebDataset splits a tar member name at the first '.' of its base name, so keys
/// hold only [A-Za-z0-9_-] (everything else, '/' and '.' included, becomes '_'). Keys are unique ignoring case (so
/// extraction on a case-insensitive file system is safe), at most <see cref="MaxLength"/> characters, and depend only
/// on the ordered path list.
/// </summary>
public static class ShardKeys
{
    /// <summary>Leaves room for ".json"/".jpg" within the 100-byte ustar name field.</summary>
    public const int MaxLength = 90;

    public static IReadOnlyList<string> Assign(IReadOnlyList<string> relativePaths)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var keys = new string[relativePaths.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            string baseKey = Sanitize(relativePaths[i]);
            string key = baseKey;
            for (int n = 2; !used.Add(key); n++)
                key = $"{baseKey}_{n}";
            keys[i] = key;
        }
        return keys;
    }

    public static string Sanitize(string relativePath)
    {
        string ext = Path.GetExtension(relativePath);
        string stem = ext.Length > 0 && relativePath.Length > ext.Length ? relativePath[..^ext.Length] : relativePath;
        var sb = new StringBuilder(stem.Length);
        foreach (char c in stem)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        if (sb.Length == 0) sb.Append('_');
        if (sb.Length <= MaxLength - 12) return sb.ToString();
        // Long paths: keep the tail (usually the file name) and a hash of the full path for uniqueness.
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(relativePath)))[..10];
        string s = sb.ToString();
        return hash + "_" + s[^(MaxLength - 12 - hash.Length - 1)..];
    }
}
