using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PaletteCluster.Hosting.Postgres;

/// <summary>
/// Applies the project's PostgreSQL schema (infra/postgres/*.sql, embedded in this assembly) to a database:
/// tables and OrleansQuery rows for Orleans clustering, grain state and reminders.
/// </summary>
/// <remarks>
/// All scripts run in file-name order inside one transaction that first takes a transaction-scoped advisory lock,
/// so two processes initialising the same database at once run one after the other instead of racing on
/// CREATE TABLE. The scripts are idempotent: applying them again only refreshes functions and query texts.
/// Each applied script is recorded in palette_schema_version with its number and SHA-256.
/// </remarks>
public sealed class PostgresSchema
{
    /// <summary>Arbitrary constant naming our advisory lock ("PALETTE" in ASCII), shared by every process.</summary>
    public const long AdvisoryLockKey = 0x50414C45545445;

    private const string ResourcePrefix = "PaletteCluster.Postgres.";

    /// <summary>The embedded scripts in the order they are applied.</summary>
    public static IReadOnlyList<SchemaScript> Scripts { get; } = LoadScripts();

    /// <summary>The version a database has once <see cref="ApplyAsync"/> succeeded: the highest script number.</summary>
    public static int LatestVersion => Scripts.Max(s => s.Version);

    /// <summary>Applies every script; returns <see cref="LatestVersion"/>. Throws <see cref="PostgresSchemaException"/>.</summary>
    public async Task<int> ApplyAsync(string connectionString, ILogger logger, CancellationToken cancellationToken = default)
    {
        var endpoint = Describe(connectionString);
        await using var connection = await OpenAsync(connectionString, endpoint, cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);
            foreach (var script in Scripts)
            {
                logger.LogDebug("Applying {Script} to {Endpoint}", script.Name, endpoint);
                await ExecuteAsync(connection, transaction, script.Sql, cancellationToken, script.Name);
                await RecordAsync(connection, transaction, script, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException e)
        {
            throw new PostgresSchemaException($"applying the schema to PostgreSQL at {endpoint} failed: {OneLine(e.MessageText)}", e);
        }
        catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PostgresSchemaException($"lost the connection to PostgreSQL at {endpoint}: {OneLine(e.Message)}", e);
        }
        logger.LogInformation("PostgreSQL schema version {Version} applied to {Endpoint} ({Count} scripts)", LatestVersion, endpoint, Scripts.Count);
        return LatestVersion;
    }

    /// <summary>"host:port/database" from a connection string, or a <see cref="PostgresSchemaException"/> if it is malformed.</summary>
    public static string Describe(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new PostgresSchemaException("no PostgreSQL connection string given (e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=palette)");
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new PostgresSchemaException($"invalid PostgreSQL connection string: {OneLine(e.Message)}", e);
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
            throw new PostgresSchemaException("invalid PostgreSQL connection string: it names no Host");
        return $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username ?? "postgres"}";
    }

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, string endpoint, CancellationToken cancellationToken)
    {
        var hostPort = endpoint[..endpoint.LastIndexOf('/')];
        NpgsqlConnection? connection = null;
        try
        {
            connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or ArgumentException
                                  && !cancellationToken.IsCancellationRequested)
        {
            if (connection is not null) await connection.DisposeAsync();
            throw e switch
            {
                PostgresException pg => new PostgresSchemaException($"PostgreSQL at {hostPort} refused the connection: {OneLine(pg.MessageText)}", e),
                ArgumentException => new PostgresSchemaException($"invalid PostgreSQL connection string: {OneLine(e.Message)}", e),
                _ => new PostgresSchemaException($"cannot reach PostgreSQL at {hostPort}: {OneLine(Innermost(e).Message)}", e),
            };
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken, string? scriptName = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (scriptName is not null)
        {
            throw new PostgresSchemaException($"{scriptName} failed on PostgreSQL at {connection.Host}:{connection.Port}: {OneLine(e.MessageText)}", e);
        }
    }

    private static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SchemaScript script, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO palette_schema_version (script, version, sha256, applied_at)
            VALUES (@script, @version, @sha256, now())
            ON CONFLICT (script) DO UPDATE SET version = EXCLUDED.version, sha256 = EXCLUDED.sha256, applied_at = now()
            """;
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("script", script.Name);
        command.Parameters.AddWithValue("version", script.Version);
        command.Parameters.AddWithValue("sha256", script.Sha256);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static IReadOnlyList<SchemaScript> LoadScripts()
    {
        var assembly = typeof(PostgresSchema).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => SchemaScript.Load(assembly, n, n[ResourcePrefix.Length..]))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        if (scripts.Count == 0)
            throw new InvalidOperationException("no PostgreSQL scripts are embedded in PaletteCluster.Hosting (see its csproj)");
        return scripts;
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>One embedded script: file name (e.g. 002-clustering.sql), its leading number, text and checksum.</summary>
public sealed record SchemaScript(string Name, int Version, string Sql, string Sha256)
{
    internal static SchemaScript Load(Assembly assembly, string resource, string name)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var sql = reader.ReadToEnd();
        var dash = name.IndexOf('-');
        if (dash <= 0 || !int.TryParse(name[..dash], out var version))
            throw new InvalidOperationException($"PostgreSQL script {name} must start with its number, e.g. 005-name.sql");
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
        return new SchemaScript(name, version, sql, sha);
    }
}
