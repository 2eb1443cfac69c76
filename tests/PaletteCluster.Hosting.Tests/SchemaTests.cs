using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.Hosting.Postgres;

namespace PaletteCluster.Hosting.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SchemaTests(PostgresServer postgres)
{
    [Fact]
    public async Task Applying_twice_changes_nothing_and_records_every_script()
    {
        var database = await postgres.CreateDatabaseAsync("twice");
        var schema = new PostgresSchema();

        Assert.Equal(4, await schema.ApplyAsync(database, NullLogger.Instance));
        var keysAfterFirst = await QueryKeysAsync(database);
        Assert.Equal(4, await schema.ApplyAsync(database, NullLogger.Instance));

        Assert.Equal(keysAfterFirst, await QueryKeysAsync(database));
        var recorded = await Rows(database, "SELECT script, version FROM palette_schema_version ORDER BY script");
        Assert.Equal(["001-common.sql", "002-clustering.sql", "003-persistence.sql", "004-reminders.sql"], recorded.Select(r => (string)r[0]!));
        Assert.Equal([1, 2, 3, 4], recorded.Select(r => (int)r[1]!));
    }

    [Fact]
    public async Task Two_processes_initialising_at_once_both_succeed()
    {
        var database = await postgres.CreateDatabaseAsync("concurrent");

        var versions = await Task.WhenAll(
            Task.Run(() => new PostgresSchema().ApplyAsync(database, NullLogger.Instance)),
            Task.Run(() => new PostgresSchema().ApplyAsync(database, NullLogger.Instance)));

        Assert.Equal([4, 4], versions);
        Assert.Equal(4, (await Rows(database, "SELECT * FROM palette_schema_version")).Count);
    }

    /// <summary>
    /// Every query key the Orleans 10 providers demand (the properties of their internal DbStoredQueries classes,
    /// which throw at silo start when one is missing) is in OrleansQuery, plus the optional ones we rely on.
    /// </summary>
    [Fact]
    public async Task OrleansQuery_holds_every_key_the_providers_require()
    {
        var required = new[]
            {
                typeof(Orleans.Configuration.AdoNetClusteringSiloOptions).Assembly,
                typeof(Orleans.Configuration.AdoNetReminderTableOptions).Assembly,
            }
            .SelectMany(a => a.GetTypes().Where(t => t.Name == "DbStoredQueries"))
            .SelectMany(t => t.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic).Select(p => p.Name))
            .Concat(["ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey", "CleanupDefunctSiloEntryKey"])
            .ToHashSet();
        Assert.Contains("CleanupDefunctSiloEntriesKey", required);
        Assert.Contains("UpsertReminderRowKey", required);

        var present = await QueryKeysAsync(postgres.ConnectionString);

        Assert.Empty(required.Except(present));
    }

    [Fact]
    public async Task A_server_that_is_down_gives_a_one_line_error_naming_host_and_port()
    {
        var port = PostgresServer.FreePort();

        var error = await Assert.ThrowsAsync<PostgresSchemaException>(() =>
            new PostgresSchema().ApplyAsync($"Host=127.0.0.1;Port={port};Username=postgres;Database=palette;Timeout=5", NullLogger.Instance));

        Assert.StartsWith($"cannot reach PostgreSQL at 127.0.0.1:{port}: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_missing_database_is_reported_with_host_and_port()
    {
        var error = await Assert.ThrowsAsync<PostgresSchemaException>(() =>
            new PostgresSchema().ApplyAsync($"Host=127.0.0.1;Port={postgres.Port};Username=postgres;Database=no_such_db", NullLogger.Instance));

        Assert.Contains($"127.0.0.1:{postgres.Port}", error.Message);
        Assert.Contains("no_such_db", error.Message);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=notaport;Database=palette")]
    [InlineData("Hots=127.0.0.1")]
    [InlineData("")]
    public async Task A_malformed_connection_string_is_rejected_before_connecting(string connectionString)
    {
        var error = await Assert.ThrowsAsync<PostgresSchemaException>(() => new PostgresSchema().ApplyAsync(connectionString, NullLogger.Instance));

        Assert.Contains("connection string", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    private async Task<List<string>> QueryKeysAsync(string connectionString) =>
        (await Rows(connectionString, "SELECT querykey FROM orleansquery ORDER BY querykey")).Select(r => (string)r[0]!).ToList();

    private static async Task<List<object?[]>> Rows(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add(row);
        }
        return rows;
    }
}
