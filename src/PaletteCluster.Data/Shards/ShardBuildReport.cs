using System.Text.Json.Serialization;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// The outcome of a build, also written as report.json. <see cref="Issues"/> lists every skipped or flagged file in
/// input order. <see cref="UpToDate"/> is true when the output already matched the inputs and nothing was written.
/// </summary>
public sealed record ShardBuildReport
{
    public bool UpToDate { get; init; }
    public string OutputFolder { get; init; } = "";
    public int InputFiles { get; init; }
    public long RecordsWritten { get; init; }
    public int ShardCount { get; init; }
    public int SkippedCount { get; init; }
    public int FlaggedCount { get; init; }
    public IReadOnlyDictionary<ShardIssueKind, int> CountsByKind { get; init; } = new Dictionary<ShardIssueKind, int>();
    public IReadOnlyList<ShardIssue> Issues { get; init; } = Array.Empty<ShardIssue>();

    [JsonIgnore] public IEnumerable<ShardIssue> Skipped => Issues.Where(i => !i.Accepted);
    [JsonIgnore] public IEnumerable<ShardIssue> Flagged => Issues.Where(i => i.Accepted);
}
