using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PaletteCluster.Testing;

/// <summary>
/// A real, throwaway Azurite blob service for one test run, started (and installed into .tools/azurite if missing)
/// by build/azurite.sh on a free 127.0.0.1 port with a temporary data folder; deleted on Dispose.
/// <see cref="Stop"/> and <see cref="Start"/> take it down and bring it back on the same port with the same blobs,
/// for outage tests.
/// </summary>
public sealed class AzuriteServer : IDisposable
{
    private readonly string _script;

    public AzuriteServer()
    {
        _script = Path.Combine(RepoRoot(), "build", "azurite.sh");
        DataDirectory = Path.Combine(Path.GetTempPath(), $"palette-azurite-{Guid.NewGuid():N}"[..26]);
        Port = FreePort();
        ConnectionString = Start();
    }

    public string DataDirectory { get; }
    public int Port { get; }
    public string ConnectionString { get; }

    /// <summary>Starts the server (a no-op if it runs); returns the connection string the script prints last.</summary>
    public string Start() => RunScript("start", DataDirectory, Port.ToString()).Trim().Split('\n')[^1];

    /// <summary>Stops the server; returns once the process is gone.</summary>
    public void Stop() => RunScript("stop", DataDirectory);

    public void Dispose()
    {
        try { Stop(); }
        finally { if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true); }
    }

    private string RunScript(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(_script);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // Generous: the first start on a fresh machine runs npm install.
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(true); throw new TimeoutException($"azurite.sh {args[0]} hung"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"azurite.sh {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PaletteCluster.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no PaletteCluster.sln above {AppContext.BaseDirectory}");
    }
}
