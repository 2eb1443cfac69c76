using System.CommandLine;
using PaletteCluster.Hosting.Postgres;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette db</c>: the cluster's PostgreSQL database (membership, grain state, reminders).</summary>
public static class DbCommand
{
    /// <summary>Where the connection string comes from when --connection is not given.</summary>
    public const string ConnectionVariable = "PALETTE_POSTGRES";

    public static Command Create() => new("db", "Manage the cluster's PostgreSQL database") { CreateInit() };

    private static Command CreateInit()
    {
        var connection = new Option<string?>("--connection")
        {
            Description = $"Npgsql connection string, e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=palette (default: ${ConnectionVariable})",
        };
        var command = new Command("init", "Create or update the schema and Orleans queries (safe to run again, also from several processes at once)") { connection };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connectionString = ResolveConnection(parse.GetValue(connection), Environment.GetEnvironmentVariable(ConnectionVariable));
            using var logging = ConsoleReporting.CreateLoggerFactory();
            try
            {
                var version = await new PostgresSchema().ApplyAsync(connectionString, logging.CreateLogger("palette.db"), cancellationToken);
                Console.WriteLine($"Schema version {version} is in place at {PostgresSchema.Describe(connectionString)}");
                return 0;
            }
            catch (PostgresSchemaException e)
            {
                // An operator's mistake or an unreachable server, not a bug: one line, like CliErrors' other expected errors.
                Console.Error.WriteLine($"error: {e.Message}");
                return CliErrors.UsageError;
            }
        });
        return command;
    }

    /// <summary>--connection wins over $PALETTE_POSTGRES; neither is an argument error.</summary>
    public static string ResolveConnection(string? option, string? environment)
    {
        if (!string.IsNullOrWhiteSpace(option)) return option;
        if (!string.IsNullOrWhiteSpace(environment)) return environment;
        throw new ArgumentException($"no PostgreSQL connection string: pass --connection or set {ConnectionVariable}");
    }
}
