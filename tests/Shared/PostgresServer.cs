using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PaletteCluster.Testing;

/// <summary>
/// A real, throwaway PostgreSQL server for one test run, started (and installed if missing) by build/postgres.sh
/// on a free 127.0.0.1 port with a temporary data folder; stopped and deleted on Dispose.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _script;

    public PostgresServer()
    {
        _script = Path.Combine(RepoRoot(), "build", "postgres.sh");
        // Directly under the temp root: the postgres user must be able to reach it.
        DataDirectory = Path.Combine(Path.GetTempPath(), $"palette-pg-{Guid.NewGuid():N}"[..20]);
        Port = FreePort();
        ConnectionString = RunScript("start", DataDirectory, Port.ToString()).Trim().Split('\n')[^1]; // the script prints it last
    }

    public string DataDirectory { get; }
    public int Port { get; }
    public string ConnectionString { get; }

    public void Dispose()
    {
        try { RunScript("stop", DataDirectory); }
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
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(true); throw new TimeoutException($"postgres.sh {args[0]} hung"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"postgres.sh {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PaletteCluster.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no PaletteCluster.sln above {AppContext.BaseDirectory}");
    }
}
