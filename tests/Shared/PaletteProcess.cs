using System.Diagnostics;

namespace PaletteCluster.Testing;

/// <summary>Runs the real `palette` executable (built beside the tests) in a fresh process.</summary>
public static class PaletteProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string All => Stdout + Stderr;
        /// <summary>A .NET stack trace looks like "   at Namespace.Type.Method(...)".</summary>
        public bool HasStackTrace => System.Text.RegularExpressions.Regex.IsMatch(All, @"^\s+at \S+\(", System.Text.RegularExpressions.RegexOptions.Multiline);
    }

    public static Result Run(params string[] args) => Run(null, args);

    /// <summary>Starts palette, sends SIGTERM once <paramref name="trigger"/> appears on stdout, and waits for it to exit.</summary>
    public static Result RunAndTerminate(string trigger, params string[] args)
    {
        var start = StartInfo(args);
        using var p = Process.Start(start)!;
        var stdout = new System.Text.StringBuilder();
        var seen = new TaskCompletionSource();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stdout) stdout.AppendLine(e.Data);
            if (e.Data.Contains(trigger)) seen.TrySetResult();
        };
        p.BeginOutputReadLine();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!seen.Task.Wait(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException($"'{trigger}' never appeared"); }
        using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString()])) kill.WaitForExit();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("palette ignored SIGTERM"); }
        p.WaitForExit();
        lock (stdout) return new Result(p.ExitCode, stdout.ToString(), stderr.Result);
    }

    private static ProcessStartInfo StartInfo(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "palette.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    public static Result Run(IDictionary<string, string>? environment, params string[] args)
    {
        var start = StartInfo(args);
        if (environment is not null)
            foreach (var (k, v) in environment) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"palette {string.Join(' ', args)} did not finish in 10 minutes");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
