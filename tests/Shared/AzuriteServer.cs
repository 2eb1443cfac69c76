namespace PaletteCluster.Testing;

/// <summary>
/// A real, throwaway Azurite blob service for one test run, started (and installed into .tools/azurite if missing)
/// by build/azurite.sh on a free 127.0.0.1 port with a temporary data folder; deleted on Dispose.
/// <see cref="Stop"/> and <see cref="Start"/> take it down and bring it back on the same port with the same blobs,
/// for outage tests.
/// </summary>
public sealed class AzuriteServer : IDisposable
{
    private readonly ServerScript _script = new("azurite.sh");

    public AzuriteServer()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), $"palette-azurite-{Guid.NewGuid():N}"[..26]);
        Port = ServerScript.FreePort();
        ConnectionString = Start();
    }

    public string DataDirectory { get; }
    public int Port { get; }
    public string ConnectionString { get; }

    /// <summary>Starts the server (a no-op if it runs); returns the connection string the script prints last.</summary>
    public string Start() => _script.RunForLastLine("start", DataDirectory, Port.ToString());

    /// <summary>Stops the server; returns once the process is gone.</summary>
    public void Stop() => _script.Run("stop", DataDirectory);

    public void Dispose()
    {
        try { Stop(); }
        finally { if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true); }
    }
}
