namespace PaletteCluster.Grains.Coordination;

/// <summary>
/// A job's training group as persisted: members in join order. Records stored before the checkpoint moved to the
/// job grain also hold Round, Checkpoint and CheckpointStep; the state serializer skips them on load.
/// </summary>
[GenerateSerializer, Alias("palette.CoordinatorRecord")]
public sealed class CoordinatorRecord
{
    [Id(0)] public List<string> Members { get; set; } = [];
}
