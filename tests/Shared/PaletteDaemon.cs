using System.Diagnostics;
using System.Text;

namespace PaletteCluster.Testing;

/// <summary>
/// A long-running `palette` process (silo, worker) started by a test: output is captured, the test can wait
/// for a line, stop it with SIGTERM or kill it with SIGKILL. Disposing kills what is still running.
/// </summary>
public sealed class PaletteDaemon : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];
    private readonly List<(DateTimeOffset At, string Text)> _lines = [];

    public PaletteDaemon(string name, IDictionary<string, string>? environment, params string[] args)
    {
        Name = name;
        Environment = environment;
        Arguments = args;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "palette.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment) start.Environment[k] = v;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    /// <summary>What it was started with, so a test can start the same process again after killing it.</summary>
    public IDictionary<string, string>? Environment { get; }
    public IReadOnlyList<string> Arguments { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Output lines with the time this process read them (a little after the daemon printed them).</summary>
    public IReadOnlyList<(DateTimeOffset At, string Text)> Lines
    {
        get { lock (_output) return _lines.ToArray(); }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            _lines.Add((DateTimeOffset.UtcNow, line));
            foreach (var (text, seen) in _waits)
                if (line.Contains(text, StringComparison.Ordinal)) seen.TrySetResult();
        }
    }

    /// <summary>Waits until a line containing <paramref name="text"/> has been printed (also if it already was).</summary>
    public async Task WaitForLine(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal)) return;
            _waits.Add((text, seen));
        }
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout));
        if (first != seen.Task)
            throw new TimeoutException($"{Name}: '{text}' did not appear ({(first == exited ? $"process exited with {_process.ExitCode}" : $"after {timeout}")}). Output:\n{Output}");
    }

    /// <summary>SIGTERM, then waits for a clean exit; returns the exit code.</summary>
    public async Task<int> Terminate(TimeSpan timeout)
    {
        if (!_process.HasExited)
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"{Name} ignored SIGTERM for {timeout}. Output:\n{Output}"); }
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process gets no chance to clean up (a node dying).</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        try { Kill(); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
