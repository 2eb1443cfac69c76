using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PaletteCluster.Storage.Tests;

/// <summary>Keeps log lines for assertions and echoes them to the xunit output.</summary>
public sealed class TestLogger(ITestOutputHelper? output = null) : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IReadOnlyList<string> At(LogLevel level) => Entries.Where(e => e.Level == level).Select(e => e.Message).ToList();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        Entries.Enqueue((logLevel, message));
        try { output?.WriteLine($"{logLevel}: {message}"); }
        catch (InvalidOperationException) { } // the test already finished (a background retry logged late)
    }
}
