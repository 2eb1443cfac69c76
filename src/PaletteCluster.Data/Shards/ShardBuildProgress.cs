namespace PaletteCluster.Data.Shards;

/// <summary>Reported after each input file, so a CLI can draw a bar (by files or by bytes).</summary>
public sealed record ShardBuildProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal,
    long RecordsWritten, int ShardsWritten, string? CurrentFile);
