using Npgsql;
using NpgsqlTypes;

namespace PaletteCluster.Hosting.Tests;

/// <summary>
/// OrleansQuery texts the cluster tests do not reach (DeleteStateOnClear, ring ranges), run the way the providers
/// run them: the stored text with parameters bound by name.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QueryContractTests(PostgresServer postgres)
{
    [Fact]
    public async Task DeleteStorageKey_deletes_only_with_the_current_version()
    {
        var service = $"del-{Guid.NewGuid():N}"[..12];
        (string, object?)[] Identity(int? version) =>
        [
            ("ServiceId", service), ("GrainTypeString", "state"), ("GrainIdN0", 0L), ("GrainIdN1", 0L),
            ("GrainIdExtensionString", "job/one"), ("GrainIdHash", 1), ("GrainTypeHash", 2), ("GrainStateVersion", version),
        ];

        var written = await RunAsync("WriteToStorageKey", [.. Identity(null), ("PayloadBinary", new byte[] { 1, 2, 3 })]);
        Assert.Equal(1, written.Single()[0]);

        Assert.Null((await RunAsync("DeleteStorageKey", Identity(7))).Single()[0]);
        Assert.Equal(2, (await RunAsync("DeleteStorageKey", Identity(1))).Single()[0]);
        Assert.Empty(await RunAsync("ReadFromStorageKey", Identity(null)));
    }

    [Fact]
    public async Task Reminder_ring_ranges_select_begin_exclusive_end_inclusive_and_wrap_around()
    {
        var service = $"ring-{Guid.NewGuid():N}"[..13];
        foreach (var hash in new[] { int.MinValue, -100, 0, 100, int.MaxValue })
            await RunAsync("UpsertReminderRowKey",
                ("ServiceId", service), ("GrainId", $"alarm/{hash}"), ("ReminderName", "r"), ("StartTime", DateTime.UtcNow),
                ("Period", 60_000), ("GrainHash", hash));

        Assert.Equal([0, 100], await HashesAsync("ReadRangeRows1Key", service, -100, 100));
        Assert.Equal([int.MinValue, -100, int.MaxValue], await HashesAsync("ReadRangeRows2Key", service, 100, -100));
        Assert.Equal(5, (await HashesAsync("ReadRangeRows2Key", service, 7, 7)).Count);
    }

    private async Task<List<int>> HashesAsync(string key, string service, int begin, int end) =>
        (await RunAsync(key, ("ServiceId", service), ("BeginHash", begin), ("EndHash", end)))
        .Select(r => int.Parse(((string)r[0]!)["alarm/".Length..])).Order().ToList();

    private async Task<List<object?[]>> RunAsync(string queryKey, params (string Name, object? Value)[] parameters)
    {
        var text = (string)(await postgres.QueryAsync("SELECT querytext FROM orleansquery WHERE querykey = @k", ("k", queryKey))).Single()[0]!;
        return await postgres.QueryAsync(text, parameters.Select(p => p.Value is null
            ? new NpgsqlParameter(p.Name, NpgsqlDbType.Integer) { Value = DBNull.Value } // the providers pass typed NULLs
            : new NpgsqlParameter(p.Name, p.Value)));
    }
}
