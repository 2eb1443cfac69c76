namespace PaletteCluster.Storage;

/// <summary>Settings of a <see cref="CheckpointStore"/>.</summary>
public sealed class CheckpointStoreOptions
{
    /// <summary>The job's name: checkpoints live under "&lt;Job&gt;/checkpoints/". A valid blob name ('/' allowed).</summary>
    public string Job { get; set; } = "";

    /// <summary>What to delete after each publish; null keeps every checkpoint.</summary>
    public CheckpointRetention? Retention { get; set; }
}

/// <summary>
/// Keeps the newest <see cref="KeepLast"/> complete checkpoints plus every step that is a multiple of
/// <see cref="KeepEvery"/> (0 = none); the step named by "latest" is never deleted.
/// </summary>
public sealed class CheckpointRetention
{
    public int KeepLast { get; set; } = 3;

    /// <summary>Also keep steps divisible by this (long-term milestones, e.g. 100000); 0 keeps no milestones.</summary>
    public long KeepEvery { get; set; }
}
