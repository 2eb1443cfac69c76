namespace PaletteCluster.Data.Shards;

/// <summary>Why an input file was skipped or flagged.</summary>
public enum ShardIssueKind
{
    /// <summary>Missing, permission denied, or an I/O error while reading.</summary>
    Unreadable,
    ZeroByte,
    /// <summary>The file ends before the image is complete.</summary>
    Truncated,
    /// <summary>Starts like a JPEG/PNG but its data does not decode.</summary>
    Corrupt,
    /// <summary>Not a JPEG or PNG at all (text, random bytes, GIF, ...), whatever its extension says.</summary>
    NotAnImage,
    /// <summary>A valid image whose extension names another format: accepted, stored with the right extension.</summary>
    Mislabelled,
    /// <summary>Above <see cref="ShardBuildOptions.MaxPixels"/> (from the header) or <see cref="ShardBuildOptions.MaxFileBytes"/>.</summary>
    TooLarge,
}

/// <summary>One input file that was skipped (<see cref="Accepted"/> false) or written but flagged (true).</summary>
public sealed record ShardIssue(string Source, string Path, ShardIssueKind Kind, string Reason, bool Accepted);
