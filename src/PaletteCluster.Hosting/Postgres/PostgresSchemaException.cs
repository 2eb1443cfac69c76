namespace PaletteCluster.Hosting.Postgres;

/// <summary>
/// The schema could not be applied: bad connection string, unreachable server, refused login or a failing script.
/// The message is one line meant for an operator (it names host and port); the cause stays in InnerException.
/// </summary>
public sealed class PostgresSchemaException(string message, Exception? inner = null) : Exception(message, inner);
