using System.Security.Cryptography;
using System.Text;

namespace PaletteCluster.Api.Service;

/// <summary>Job ids: short, lowercase, safe in paths, URLs and shell commands.</summary>
public static class JobIds
{
    public const int MaxLength = 64;
    private const int SlugLength = 40;

    /// <summary>"My Run #2" becomes "my-run-2-" plus 6 random hex digits; an empty name becomes "job-...".</summary>
    public static string FromName(string name)
    {
        var slug = Slug(name);
        return $"{(slug.Length == 0 ? "job" : slug)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    }

    public static string Slug(string name)
    {
        var builder = new StringBuilder();
        foreach (char c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) builder.Append(c);
            else if (builder.Length > 0 && builder[^1] != '-') builder.Append('-');
            if (builder.Length >= SlugLength) break;
        }
        return builder.ToString().Trim('-');
    }

    /// <summary>Null when the id is usable, else why not.</summary>
    public static string? Problem(string id)
    {
        if (id.Length == 0) return "job id is empty";
        if (id.Length > MaxLength) return $"job id '{id}' is longer than {MaxLength} characters";
        if (!char.IsAsciiLetterOrDigit(id[0]) || !id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
            return $"job id '{id}' may hold only lowercase letters, digits, '-', '_' and '.', starting with a letter or digit";
        return null;
    }
}
