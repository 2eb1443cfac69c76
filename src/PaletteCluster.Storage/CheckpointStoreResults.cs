namespace PaletteCluster.Storage;

/// <summary>Complete: manifest.json present, valid, and every listed file present with its size. Partial: anything less.</summary>
public enum CheckpointState
{
    Complete,
    Partial,
}

/// <summary>One step folder in the store. <paramref name="Problem"/> says why a partial one is not complete.</summary>
public sealed record StoredCheckpoint(long Step, string Folder, CheckpointState State, int FileCount, long Bytes, bool IsLatest, string? Problem);

/// <summary>A step that restore skipped, and why (first problem found, naming the file).</summary>
public sealed record RejectedCheckpoint(long Step, string Folder, string Reason);

/// <summary>
/// What <see cref="CheckpointStore.RestoreLatestAsync"/> did: <see cref="Step"/> and <see cref="Directory"/> of the
/// restored checkpoint, or null when no usable checkpoint exists (a fresh start if <see cref="Rejected"/> is empty).
/// </summary>
public sealed record CheckpointRestoreResult(long? Step, string? Directory, IReadOnlyList<RejectedCheckpoint> Rejected);

/// <summary>What <see cref="CheckpointStore.PublishAsync"/> did.</summary>
/// <param name="AlreadyPublished">The step was already complete with the same manifest (a repeated publish): nothing uploaded.</param>
/// <param name="LatestMoved">False when "latest" already named a newer complete step.</param>
/// <param name="Deleted">Steps removed by retention.</param>
public sealed record CheckpointPublishResult(long Step, string Folder, int FilesUploaded, long BytesUploaded, bool AlreadyPublished,
    bool LatestMoved, IReadOnlyList<long> Deleted);
