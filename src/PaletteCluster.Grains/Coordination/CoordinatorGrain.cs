using Microsoft.Extensions.Logging;
using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Coordination;

/// <summary>A job's training group (keyed by job id); every change is persisted.</summary>
public sealed class CoordinatorGrain : Grain, ICoordinatorGrain
{
    private readonly IPersistentState<CoordinatorRecord> _record;
    private readonly ILogger<CoordinatorGrain> _logger;

    public CoordinatorGrain(
        [PersistentState("coordinator", PaletteStorage.Name)] IPersistentState<CoordinatorRecord> record,
        ILogger<CoordinatorGrain> logger)
    {
        _record = record;
        _logger = logger;
    }

    // A view over the current state object (cheap), so it always follows what storage loaded.
    private TrainingGroup Group => new(_record.State);

    public async Task<GroupMembership> Join(string workerId)
    {
        if (Group.Join(workerId))
        {
            await _record.WriteStateAsync();
            _logger.LogInformation("Worker {WorkerId} joined the group of job {JobId}", workerId, this.GetPrimaryKeyString());
        }
        return Group.MembershipOf(workerId);
    }

    public async Task Leave(string workerId)
    {
        if (Group.Leave(workerId)) await _record.WriteStateAsync();
    }

    public Task<GroupMembership> GetMembership(string workerId) => Task.FromResult(Group.MembershipOf(workerId));
}
