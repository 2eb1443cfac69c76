using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Coordination;

/// <summary>
/// The membership and round rules of a job's training group over a <see cref="CoordinatorRecord"/>. A member's
/// rank is its index in join order (so ranks close up when someone leaves); non-members see rank -1.
/// </summary>
public sealed class TrainingGroup(CoordinatorRecord record)
{
    public bool Join(string workerId)
    {
        if (record.Members.Contains(workerId)) return false;
        record.Members.Add(workerId);
        return true;
    }

    public bool Leave(string workerId) => record.Members.Remove(workerId);

    /// <summary>Counts the round; the checkpoint is recorded only if it is newer than the committed one.</summary>
    public GroupMembership CommitRound(string workerId, long step, string checkpoint)
    {
        if (!record.Members.Contains(workerId))
            throw new InvalidOperationException($"worker '{workerId}' is not a member of this training group");
        record.Round++;
        if (record.Checkpoint is null || step > record.CheckpointStep)
        {
            record.Checkpoint = checkpoint;
            record.CheckpointStep = step;
        }
        return MembershipOf(workerId);
    }

    public GroupMembership MembershipOf(string workerId) =>
        new(record.Members.IndexOf(workerId), record.Members.Count, record.Round, record.Checkpoint, record.CheckpointStep);
}
