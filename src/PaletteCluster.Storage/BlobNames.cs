namespace PaletteCluster.Storage;

/// <summary>Rules for blob names shared by every store, so a name valid on disk is valid in Azure and back.</summary>
public static class BlobNames
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is '/'-separated segments, none empty and
    /// none starting with '.' (reserved for temp files of <see cref="FileSystemBlobStore"/>, and it rules out "..").
    /// </summary>
    public static string Validate(string name, string paramName = "name")
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("A blob name must not be empty.", paramName);
        if (name.Length > 1024) throw new ArgumentException($"Blob name '{name[..40]}…' is longer than 1024 characters.", paramName);
        if (name.IndexOfAny(['\\', '\0', '\n', '\r']) >= 0)
            throw new ArgumentException($"Blob name '{name}' contains a backslash or control character.", paramName);
        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0)
                throw new ArgumentException($"Blob name '{name}' has an empty segment (leading, trailing or double '/').", paramName);
            if (segment[0] == '.')
                throw new ArgumentException($"Blob name '{name}' has a segment starting with '.', which is reserved.", paramName);
        }
        return name;
    }

    /// <summary>A list prefix: "" or anything a valid name could start with.</summary>
    public static string ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0) return prefix;
        // "a/b/" and "a/st" are fine prefixes; validate them as if completed by one more character.
        Validate(prefix.EndsWith('/') ? prefix + "x" : prefix, nameof(prefix));
        return prefix;
    }
}
