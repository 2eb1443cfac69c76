using Microsoft.Extensions.Logging;

namespace PaletteCluster.Data.Shards;

/// <summary>What <see cref="ShardBuilder.Build"/> reads, where it writes, and its limits.</summary>
public sealed record ShardBuildOptions
{
    public const long DefaultTargetShardBytes = 256L * 1024 * 1024;
    public const long DefaultMaxPixels = 50_000_000;
    public const long DefaultMaxFileBytes = 128L * 1024 * 1024;

    /// <summary>Folders scanned recursively for *.jpg, *.jpeg, *.png (case-insensitive; hidden files skipped).</summary>
    public IReadOnlyList<string> InputFolders { get; init; } = Array.Empty<string>();
    /// <summary>Text files with one image path per line; '#' starts a comment; relative paths are relative to the list file.</summary>
    public IReadOnlyList<string> ListFiles { get; init; } = Array.Empty<string>();
    public required string OutputFolder { get; init; }
    /// <summary>
    /// Record sources are stored relative to this. Default: the input folder when there is exactly one folder and no
    /// list; otherwise the deepest directory containing every input file.
    /// </summary>
    public string? BaseDirectory { get; init; }
    /// <summary>A shard is closed before a record would take it past this size (a single larger record gets its own shard).</summary>
    public long TargetShardBytes { get; init; } = DefaultTargetShardBytes;
    /// <summary>Images whose header states more pixels than this are skipped before decoding.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;
    /// <summary>Files larger than this are skipped without being read.</summary>
    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;
    /// <summary>Rebuild even when the manifest's input fingerprint matches.</summary>
    public bool Force { get; init; }
    public IProgress<ShardBuildProgress>? Progress { get; init; }
    public ILogger? Logger { get; init; }
}
