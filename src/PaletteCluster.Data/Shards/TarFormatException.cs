namespace PaletteCluster.Data.Shards;

/// <summary>A tar stream is malformed (bad header checksum, truncated entry, unsupported entry); names the archive.</summary>
public sealed class TarFormatException : IOException
{
    public string Archive { get; }

    public TarFormatException(string archive, string message)
        : base($"Tar archive '{archive}': {message}")
    {
        Archive = archive;
    }
}
