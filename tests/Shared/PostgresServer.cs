namespace PaletteCluster.Testing;

/// <summary>
/// A real, throwaway PostgreSQL server for one test run, started (and installed if missing) by build/postgres.sh
/// on a free 127.0.0.1 port with a temporary data folder; stopped and deleted on Dispose.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly ServerScript _script = new("postgres.sh");

    public PostgresServer()
    {
        // Directly under the temp root: the postgres user must be able to reach it.
        DataDirectory = Path.Combine(Path.GetTempPath(), $"palette-pg-{Guid.NewGuid():N}"[..20]);
        Port = FreePort();
        ConnectionString = _script.RunForLastLine("start", DataDirectory, Port.ToString());
    }

    public string DataDirectory { get; }
    public int Port { get; }
    public string ConnectionString { get; }

    public void Dispose()
    {
        try { _script.Run("stop", DataDirectory); }
        finally { if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true); }
    }

    public static int FreePort() => ServerScript.FreePort();
}
