using System.Diagnostics;

namespace PaletteCluster.Cli.Tests;

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

    public static Result Run(IDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "palette.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
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
