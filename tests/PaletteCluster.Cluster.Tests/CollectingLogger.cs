using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PaletteCluster.Cluster.Tests;

/// <summary>Keeps every formatted log line (with its level) for assertions; thread-safe.</summary>
internal sealed class CollectingLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public string Text => string.Join("\n", _lines);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel)) _lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
