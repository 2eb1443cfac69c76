using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PaletteCluster.Hosting.Postgres;

namespace PaletteCluster.Hosting.Tests;

/// <summary>
/// The collection's real PostgreSQL server (tests/Shared/PostgresServer.cs: build/postgres.sh on a temp data dir and
/// a free port) with our schema applied to its "palette" database, plus query helpers for the tests.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private Testing.PostgresServer? _server;

    public int Port => _server!.Port;
    public string ConnectionString => _server!.ConnectionString;

    public async Task InitializeAsync()
    {
        _server = await Task.Run(() => new Testing.PostgresServer());
        await new PostgresSchema().ApplyAsync(ConnectionString, NullLogger.Instance);
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A new empty database on this server; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Runs one query against the palette database and returns its rows.</summary>
    public Task<List<object?[]>> QueryAsync(string sql, params (string Name, object Value)[] parameters) =>
        QueryAsync(sql, parameters.Select(p => new NpgsqlParameter(p.Name, p.Value)));

    public async Task<List<object?[]>> QueryAsync(string sql, IEnumerable<NpgsqlParameter> parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public static int FreePort() => Testing.PostgresServer.FreePort();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
