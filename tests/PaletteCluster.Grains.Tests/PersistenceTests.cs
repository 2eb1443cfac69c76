using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Tests;

/// <summary>
/// Each grain's state outlives its activation: change it, deactivate the grain (the next call activates it
/// afresh, possibly on the other silo), read it back from the file store.
/// </summary>
public sealed class PersistenceTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private async Task Deactivate(IAddressable grain)
    {
        await fixture.Cluster.DeactivateAsync(grain);
        Assert.False(fixture.Cluster.TryGetGrainContext(grain.GetGrainId(), out _), "the grain is still active");
    }

    [Fact]
    public async Task Job_state_survives_deactivation_and_is_stored_atomically()
    {
        var job = fixture.Client.GetGrain<IJobGrain>(NewId("job/with:odd chars"));
        await job.Create(new JobSpec { Name = "persisted", Recipe = new() { Steps = 500 } });
        await job.TryAssign("w1");
        await job.ReportProgress("w1", new ProgressReport(120, 0.25, 1e-4, 8));
        await job.CommitCheckpoint("w1", new CheckpointCommit(100, "ckpt/100"));
        // One more report, held back by the write policy: deactivation must save it.
        await job.ReportProgress("w1", new ProgressReport(130, 0.2, 1e-4, 8));
        var before = (await job.GetStatus())!;

        await Deactivate(job);
        var after = (await job.GetStatus())!;
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(JobState.Running, after.State);
        Assert.Equal(130, after.Step);
        Assert.Equal("ckpt/100", after.Checkpoint);
        Assert.Equal(["w1"], after.Workers);
        Assert.Equal(before.CreatedAt, after.CreatedAt);
        Assert.Equal("persisted", after.Spec.Name);
        // The reloaded job still applies its rules: the assigned worker keeps it, strangers are stopped.
        Assert.Equal(WorkerDirective.Stop, await job.ReportProgress("w2", new ProgressReport(131, 0.2, 1e-4, 8)));

        var file = fixture.StateFile("job", job);
        Assert.True(File.Exists(file), $"no state file at {file}");
        Assert.EndsWith(".json", file);
        Assert.DoesNotContain(":", Path.GetFileName(file));
        Assert.Equal("Running", fixture.ReadStored("job", job).State.GetProperty("Status").GetProperty("State").GetString());
        Assert.Empty(Directory.GetFiles(fixture.StorageRoot, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Shard_lease_survives_deactivation()
    {
        var shard = fixture.Client.GetGrain<IDataShardGrain>(NewId("job") + "/3");
        var lease = await shard.Acquire("w1", TimeSpan.FromMinutes(5));

        await Deactivate(shard);
        var reloaded = await shard.GetLease();
        Assert.Equal("w1", reloaded.Holder);
        Assert.Equal(lease.ExpiresAt, reloaded.ExpiresAt);
        Assert.False((await shard.Acquire("w2", TimeSpan.FromMinutes(5))).Granted);
    }

    [Fact]
    public async Task Worker_survives_deactivation_with_its_last_heartbeat()
    {
        var worker = fixture.Client.GetGrain<IWorkerGrain>(NewId("worker"));
        await worker.Register(new WorkerInventory("gpu-node-1", 4242, "cuda", 16, ["NVIDIA H100"], 80L << 30));
        var registeredAt = fixture.Clock.GetUtcNow();
        fixture.Clock.Advance(TimeSpan.FromSeconds(3));
        await worker.Heartbeat(new WorkerHeartbeat("job-a", 50, 120.5));
        await worker.ReportError("CUDA out of memory at step 61");
        fixture.Clock.Advance(TimeSpan.FromSeconds(3));
        // Same job: held back by the heartbeat write interval, saved on deactivation.
        await worker.Heartbeat(new WorkerHeartbeat("job-a", 60, 130.5));

        await Deactivate(worker);
        var info = (await worker.GetInfo())!;
        Assert.True(info.Active);
        Assert.Equal(registeredAt, info.RegisteredAt);
        Assert.Equal(fixture.Clock.GetUtcNow(), info.LastHeartbeat);
        Assert.Equal("job-a", info.CurrentJob);
        Assert.Equal(130.5, info.ImagesPerSecond);
        Assert.Equal("CUDA out of memory at step 61", info.LastError);
        Assert.Equal(["NVIDIA H100"], info.Inventory!.Gpus);

        await worker.Deregister();
        await Deactivate(worker);
        Assert.False((await worker.GetInfo())!.Active);
    }

    [Fact]
    public async Task Coordinator_survives_deactivation()
    {
        var group = fixture.Client.GetGrain<ICoordinatorGrain>(NewId("job"));
        Assert.Equal(0, (await group.Join("w1")).Rank);
        var second = await group.Join("w2");
        Assert.Equal((1, 2), (second.Rank, second.WorldSize));

        await Deactivate(group);
        var reloaded = await group.GetMembership("w2");
        Assert.Equal(new GroupMembership(1, 2), reloaded);
        await group.Leave("w1");
        Assert.Equal(0, (await group.GetMembership("w2")).Rank);
        Assert.Equal(-1, (await group.GetMembership("w1")).Rank);
    }

    [Fact]
    public async Task Coordinator_and_shard_states_stored_with_their_old_checkpoint_copies_still_load()
    {
        // What the previous version stored: the coordinator kept a round and a checkpoint, the shard a read position.
        var group = fixture.Client.GetGrain<ICoordinatorGrain>(NewId("job"));
        WriteStored("coordinator", group, """{"Members":["w1","w2"],"Round":7,"Checkpoint":"store:j/step-00000200","CheckpointStep":200}""");
        var shard = fixture.Client.GetGrain<IDataShardGrain>(NewId("job") + "/0");
        var expires = fixture.Clock.GetUtcNow() + TimeSpan.FromMinutes(5);
        WriteStored("shard", shard, $$"""{"Holder":"w1","ExpiresAt":"{{expires:O}}","Position":1234}""");

        Assert.Equal(new GroupMembership(1, 2), await group.GetMembership("w2"));
        var lease = await shard.GetLease();
        Assert.Equal(("w1", expires), (lease.Holder, lease.ExpiresAt));
        Assert.False((await shard.Acquire("w2", TimeSpan.FromMinutes(5))).Granted);

        // The next write stores the current shape only.
        await group.Leave("w1");
        var stored = fixture.ReadStored("coordinator", group).State;
        Assert.Equal(["Members"], stored.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, (await group.GetMembership("w2")).Rank);
    }

    /// <summary>Puts a state file where the file store looks for this grain's state, as an older version wrote it.</summary>
    private void WriteStored(string stateName, IAddressable grain, string stateJson)
    {
        var path = fixture.StateFile(stateName, grain);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $$"""{"ETag":"1","GrainId":"{{grain.GetGrainId()}}","State":{{stateJson}}}""");
    }

    [Fact]
    public async Task Dashboard_series_survives_deactivation()
    {
        var dashboard = fixture.Client.GetGrain<IDashboardGrain>(NewId("job"));
        var at = fixture.Clock.GetUtcNow();
        for (var step = 10; step <= 50; step += 10)
            await dashboard.Record(new MetricPoint(step, at, 1.0 / step, 1e-4, 9));

        await Deactivate(dashboard);
        var series = await dashboard.GetSeries();
        Assert.Equal([10L, 20L, 30L, 40L, 50L], series.Select(p => p.Step));
        Assert.Equal(1.0 / 30, series[2].Loss);
        Assert.Equal([40L, 50L], (await dashboard.GetSeries(afterStep: 30)).Select(p => p.Step));
    }

    [Fact]
    public async Task Directory_lists_survive_deactivation()
    {
        var directory = fixture.Client.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);
        var id = NewId("job");
        await directory.AddJob(id);
        await directory.AddWorker("w-persisted");

        await Deactivate(directory);
        Assert.Contains(id, await directory.ListJobs());
        Assert.Contains("w-persisted", await directory.ListWorkers());
    }
}
