namespace PaletteCluster.Data.Shards;

/// <summary>manifest.json: written last (atomically) by <see cref="ShardBuilder"/>; its presence marks a complete build.</summary>
public sealed record ShardManifest
{
    public int FormatVersion { get; init; } = ShardFormat.Version;
    public string Generator { get; init; } = ShardFormat.Generator;
    /// <summary>SHA-256 over the sorted input list (paths, sizes, mtimes) and the settings; see <see cref="InputFingerprint"/>.</summary>
    public string InputFingerprint { get; init; } = "";
    public string FingerprintMethod { get; init; } = InputFingerprinter.Method;
    public ShardBuildSettings Settings { get; init; } = new();
    public long TotalRecords { get; init; }
    public long TotalImageBytes { get; init; }
    public IReadOnlyList<ShardFileInfo> Shards { get; init; } = Array.Empty<ShardFileInfo>();
    public ImageSizeStats? Images { get; init; }
}

/// <summary>One shard file: its record count, size and SHA-256; <see cref="FirstIndex"/> is its first global record index.</summary>
public sealed record ShardFileInfo(string File, long FirstIndex, long Records, long Bytes, string Sha256);

/// <summary>The settings a build ran with (recorded so a reader knows how the shards were made).</summary>
public sealed record ShardBuildSettings
{
    public IReadOnlyList<string> InputFolders { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> ListFiles { get; init; } = Array.Empty<string>();
    public string BaseDirectory { get; init; } = "";
    public long TargetShardBytes { get; init; }
    public long MaxPixels { get; init; }
    public long MaxFileBytes { get; init; }
}

/// <summary>Min/max image dimensions and a histogram of the long side (bucket label -> count).</summary>
public sealed record ImageSizeStats(int MinWidth, int MaxWidth, int MinHeight, int MaxHeight,
    IReadOnlyDictionary<string, long> LongSideHistogram);
