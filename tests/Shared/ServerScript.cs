using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PaletteCluster.Testing;

/// <summary>
/// Runs one of the repository's server scripts (build/postgres.sh, build/azurite.sh) the way tests need them:
/// with a generous timeout (the first start on a fresh machine installs the server), failing with the script's
/// stderr, and returning its stdout. Also finds free loopback ports and the repository root.
/// </summary>
public sealed class ServerScript(string name)
{
    private readonly string _path = Path.Combine(RepoRoot(), "build", name);

    public string Run(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(_path);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(true); throw new TimeoutException($"{name} {args[0]} hung"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{name} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>The last line of stdout: where the scripts print the connection string.</summary>
    public string RunForLastLine(params string[] args) => Run(args).Trim().Split('\n')[^1];

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
