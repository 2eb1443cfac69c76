using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit.Abstractions;
using PaletteCluster.Hosting.Postgres;

namespace PaletteCluster.Hosting.Tests;

/// <summary>Orleans silos on our PostgreSQL schema: membership, grain state, ETags, reminders and failure detection.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterTests(PostgresServer postgres, ITestOutputHelper output)
{
    private const int Active = 3, Dead = 6;

    [Fact]
    public async Task Both_silos_register_as_active_members()
    {
        var cluster = await TestClusters.StartAsync(postgres, NewServiceId());
        try
        {
            var rows = await postgres.QueryAsync(
                "SELECT port, status, i_am_alive_time FROM orleans_membership WHERE deployment_id = @c ORDER BY port",
                ("c", cluster.Options.ClusterId));

            Assert.Equal(cluster.Silos.Select(s => s.SiloAddress.Endpoint.Port).Order(), rows.Select(r => (int)r[0]!));
            Assert.All(rows, r => Assert.Equal(Active, (int)r[1]!));
            var version = await postgres.QueryAsync("SELECT version FROM orleans_membership_version WHERE deployment_id = @c", ("c", cluster.Options.ClusterId));
            Assert.True((int)version.Single()[0]! >= 4, "each silo's insert and its activation bump the table version");
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Grain_state_survives_the_cluster_and_is_read_back_by_a_new_one()
    {
        var serviceId = NewServiceId();
        GrainId grainId;
        var first = await TestClusters.StartAsync(postgres, serviceId);
        try
        {
            var counter = first.Client.GetGrain<ICounterGrain>("alpha");
            await counter.Add(2, "first");
            Assert.Equal(5, await counter.Add(3, "second"));
            // Same state name and key on another grain type: a separate row, not a shared one.
            Assert.Equal(100, await first.Client.GetGrain<IOtherCounterGrain>("alpha").Add(100));
            grainId = counter.GetGrainId();
        }
        finally
        {
            await first.StopAllSilosAsync();
            await first.DisposeAsync();
        }

        var rows = await postgres.QueryAsync(
            "SELECT grain_key, version, payload IS NOT NULL FROM orleans_grain_state WHERE service_id = @s ORDER BY grain_key",
            ("s", serviceId));
        Assert.Equal(2, rows.Count);
        var counterRow = Assert.Single(rows, r => (string)r[0]! == grainId.ToString());
        Assert.Equal(2, (int)counterRow[1]!);
        Assert.True((bool)counterRow[2]!);

        var second = await TestClusters.StartAsync(postgres, serviceId);
        try
        {
            Assert.NotEqual(first.Options.ClusterId, second.Options.ClusterId);
            Assert.Equal(5, await second.Client.GetGrain<ICounterGrain>("alpha").Total());
            Assert.Equal(6, await second.Client.GetGrain<ICounterGrain>("alpha").Add(1, "third"));
        }
        finally
        {
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task Writes_from_stale_state_are_rejected_with_InconsistentStateException()
    {
        var cluster = await TestClusters.StartAsync(postgres, NewServiceId());
        try
        {
            var counter = cluster.Client.GetGrain<ICounterGrain>("contested");
            await counter.Add(1, "grain");
            var storage = cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress)
                .GetRequiredKeyedService<IGrainStorage>(PostgresClusterOptions.StorageName);

            // Two copies read at the same version: the first write wins, the second is stale.
            var a = new GrainState<CounterState> { State = new CounterState() };
            var b = new GrainState<CounterState> { State = new CounterState() };
            await storage.ReadStateAsync("counter", counter.GetGrainId(), a);
            await storage.ReadStateAsync("counter", counter.GetGrainId(), b);
            Assert.Equal(a.ETag, b.ETag);
            a.State.Total = 40;
            await storage.WriteStateAsync("counter", counter.GetGrainId(), a);
            b.State.Total = 50;
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", counter.GetGrainId(), b));
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("counter", counter.GetGrainId(), b));

            // The grain's own copy is now stale too: its next write fails and the caller sees why.
            await Assert.ThrowsAsync<InconsistentStateException>(() => counter.Add(1, "stale"));

            // Two first writes of a grain never stored before: only one can create the row.
            var fresh = GrainId.Create("counter", "never-written");
            var c = new GrainState<CounterState> { State = new CounterState { Total = 1 } };
            var d = new GrainState<CounterState> { State = new CounterState { Total = 2 } };
            await storage.WriteStateAsync("counter", fresh, c);
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", fresh, d));
            var stored = new GrainState<CounterState> { State = new CounterState() };
            await storage.ReadStateAsync("counter", fresh, stored);
            Assert.Equal(1, stored.State.Total);

            // Clear with the current ETag keeps the row (payload gone, version advanced); a read then sees no record.
            await storage.ClearStateAsync("counter", fresh, stored);
            var cleared = new GrainState<CounterState>();
            await storage.ReadStateAsync("counter", fresh, cleared);
            Assert.False(cleared.RecordExists);
            Assert.Equal(stored.ETag, cleared.ETag);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_reminder_fires_and_lives_in_the_reminders_table_until_unregistered()
    {
        var serviceId = NewServiceId();
        var cluster = await TestClusters.StartAsync(postgres, serviceId);
        try
        {
            var alarm = cluster.Client.GetGrain<IAlarmGrain>("wake-up");
            await alarm.Start(TimeSpan.FromSeconds(1));

            var row = Assert.Single(await postgres.QueryAsync(
                "SELECT grain_id, reminder_name, period_ms FROM orleans_reminder WHERE service_id = @s", ("s", serviceId)));
            Assert.Equal(alarm.GetGrainId().ToString(), (string)row[0]!);
            Assert.Equal(AlarmGrain.ReminderName, (string)row[1]!);
            Assert.Equal(1000L, (long)row[2]!);

            var clock = Stopwatch.StartNew();
            while (await alarm.Ticks() < 2 && clock.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(100);
            Assert.True(await alarm.Ticks() >= 2, $"the reminder ticked {await alarm.Ticks()} times in {clock.Elapsed}");

            await alarm.Stop();
            Assert.Empty(await postgres.QueryAsync("SELECT 1 FROM orleans_reminder WHERE service_id = @s", ("s", serviceId)));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_killed_silo_is_declared_dead_within_seconds_and_cleanup_removes_its_row()
    {
        var cluster = await TestClusters.StartAsync(postgres, NewServiceId());
        try
        {
            var victim = cluster.Silos[^1];
            var survivor = cluster.Silos[0];
            var clock = Stopwatch.StartNew();
            await cluster.KillSiloAsync(victim);

            int? status = null;
            while (clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                status = await StatusOf(cluster, victim.SiloAddress);
                if (status == Dead) break;
                await Task.Delay(100);
            }
            Assert.True(status == Dead, $"status {status} after {clock.Elapsed}");
            output.WriteLine($"declared dead in the table {clock.Elapsed.TotalSeconds:F2} s after the kill");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"declared dead after {clock.Elapsed}");
            Assert.Equal(Active, await StatusOf(cluster, survivor.SiloAddress));

            // Orleans' defunct-silo cleanup (normally hourly) deletes dead rows older than its cutoff, only those.
            var table = cluster.GetSiloServiceProvider(survivor.SiloAddress).GetRequiredService<IMembershipTable>();
            await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.Null(await StatusOf(cluster, victim.SiloAddress));
            Assert.Equal(Active, await StatusOf(cluster, survivor.SiloAddress));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private async Task<int?> StatusOf(TestCluster cluster, SiloAddress silo)
    {
        var rows = await postgres.QueryAsync(
            "SELECT status FROM orleans_membership WHERE deployment_id = @c AND port = @p AND generation = @g",
            ("c", cluster.Options.ClusterId), ("p", silo.Endpoint.Port), ("g", silo.Generation));
        return rows.Count == 0 ? null : (int)rows[0][0]!;
    }

    private static string NewServiceId() => $"svc-{Guid.NewGuid():N}"[..12];
}
