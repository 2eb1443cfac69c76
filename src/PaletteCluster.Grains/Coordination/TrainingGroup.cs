using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Coordination;

/// <summary>
/// The membership rules of a job's training group over a <see cref="CoordinatorRecord"/>. A member's rank is its
/// index in join order (so ranks close up when someone leaves); non-members see rank -1.
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

    public GroupMembership MembershipOf(string workerId) => new(record.Members.IndexOf(workerId), record.Members.Count);
}
