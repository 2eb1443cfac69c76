namespace PaletteCluster.Abstractions;

/// <summary>
/// A job's training group, keyed by job id: who trains. Single-worker here; parameter averaging across workers
/// builds on it (roadmap). Checkpoints are committed on the job grain (<see cref="IJobGrain.CommitCheckpoint"/>).
/// </summary>
public interface ICoordinatorGrain : IGrainWithStringKey
{
    Task<GroupMembership> Join(string workerId);
    Task Leave(string workerId);
    Task<GroupMembership> GetMembership(string workerId);
}
