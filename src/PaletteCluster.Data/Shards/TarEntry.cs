namespace PaletteCluster.Data.Shards;

/// <summary>
/// One regular file in a tar archive: its full name, size, where its data starts in the archive, and the data
/// itself when it was read (null when the reader was asked only for headers).
/// </summary>
public sealed record TarEntry(string Name, long Size, long DataOffset, byte[]? Data);
