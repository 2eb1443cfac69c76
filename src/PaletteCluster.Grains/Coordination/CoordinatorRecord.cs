namespace PaletteCluster.Grains.Coordination;

/// <summary>A job's training group as persisted: members in join order, the round, the latest committed checkpoint.</summary>
[GenerateSerializer, Alias("palette.CoordinatorRecord")]
public sealed class CoordinatorRecord
{
    [Id(0)] public List<string> Members { get; set; } = [];
    [Id(1)] public long Round { get; set; }
    [Id(2)] public string? Checkpoint { get; set; }
    [Id(3)] public long CheckpointStep { get; set; }
}
