namespace PaletteCluster.Data.Shards;

/// <summary>
/// One input file: absolute path, its '/'-separated path relative to the base directory (the record's source and
/// the sort key), and its size/mtime at scan time (-1 when it could not be stat'ed, e.g. missing).
/// </summary>
public sealed record ShardInput(string FullPath, string RelativePath, long Length, long LastWriteUtcTicks);
