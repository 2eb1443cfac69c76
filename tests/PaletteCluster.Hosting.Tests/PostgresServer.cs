using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PaletteCluster.Hosting.Postgres;

namespace PaletteCluster.Hosting.Tests;

/// <summary>
/// A real PostgreSQL server for the test collection, started with build/postgres.sh on a temp data dir and a free
/// port, with our schema applied to its "palette" database. Stopped and deleted when the collection ends.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string dataDir = "";

    public string RepoRoot { get; } = FindRepoRoot();
    public int Port { get; private set; }
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Port = FreePort();
        // Under /tmp itself (not a private temp subfolder): the postgres user must be able to reach it.
        dataDir = Path.Combine(Path.GetTempPath(), $"palette-pg-{Guid.NewGuid():N}"[..20]);
        ConnectionString = (await RunScriptAsync("start", dataDir, Port.ToString())).Trim().Split('\n')[^1];
        await new PostgresSchema().ApplyAsync(ConnectionString, NullLogger.Instance);
    }

    public async Task DisposeAsync()
    {
        try { await RunScriptAsync("stop", dataDir); }
        finally { if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true); }
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
    public async Task<List<object?[]>> QueryAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<string> RunScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepoRoot, "build", "postgres.sh"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A fresh machine installs PostgreSQL with apt first: allow minutes.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"build/postgres.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PaletteCluster.sln"))) return dir.FullName;
        throw new InvalidOperationException($"PaletteCluster.sln not found above {AppContext.BaseDirectory}");
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
