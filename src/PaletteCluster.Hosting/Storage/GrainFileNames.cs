using System.Security.Cryptography;
using System.Text;

namespace PaletteCluster.Hosting.Storage;

/// <summary>
/// Turns grain ids and state names into file names and back. Letters, digits, '-' and '_' stay; every other
/// UTF-8 byte becomes "~XX" (hex), so "job/with:odd chars" is a valid name on any file system and the mapping is
/// reversible. Names too long for a file system get a hash suffix after "~~" (never produced by escaping) and
/// are no longer reversible; the grain id is also kept inside each file.
/// </summary>
public static class GrainFileNames
{
    /// <summary>Leaves room for the ".json" and temp-file suffixes under the usual 255-byte limit.</summary>
    public const int MaxLength = 200;

    public static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_') escaped.Append(c);
            else escaped.Append('~').Append(b.ToString("X2"));
        }
        if (escaped.Length <= MaxLength) return escaped.ToString();

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
        var keep = MaxLength - 2 - hash.Length;
        // Cut before a partial "~XX" so the kept prefix stays readable.
        var cut = escaped.ToString(0, keep);
        var lastTilde = cut.LastIndexOf('~');
        if (lastTilde > keep - 3) cut = cut[..lastTilde];
        return cut + "~~" + hash;
    }

    /// <summary>The original text of an escaped name; throws <see cref="FormatException"/> for hashed or malformed names.</summary>
    public static string Unescape(string name)
    {
        if (name.Contains("~~")) throw new FormatException($"'{name}' is a hashed name and cannot be reversed");
        var bytes = new List<byte>(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != '~')
            {
                bytes.Add((byte)name[i]);
                continue;
            }
            if (i + 2 >= name.Length) throw new FormatException($"'{name}' ends in a partial escape");
            bytes.Add(Convert.ToByte(name.Substring(i + 1, 2), 16));
            i += 2;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
