namespace PaletteCluster.Abstractions;

/// <summary>
/// A job's training group, keyed by job id: who trains, in which round, and the latest committed global
/// checkpoint. Single-worker here; parameter averaging across workers builds on it (roadmap).
/// </summary>
public interface ICoordinatorGrain : IGrainWithStringKey
{
    Task<GroupMembership> Join(string workerId);
    Task Leave(string workerId);
    /// <summary>A member finished a round ending in this checkpoint; returns the group's state after it.</summary>
    Task<GroupMembership> CommitRound(string workerId, long step, string checkpoint);
    Task<GroupMembership> GetMembership(string workerId);
}
