using Microsoft.Extensions.Logging;

namespace PaletteCluster.Cli;

/// <summary>
/// A console logger that writes on the calling thread. Microsoft's console logger formats and writes on a
/// background thread; its allocations can start a garbage collection while the training thread is inside a
/// libtorch call, and TorchSharp 0.107 does not keep a call's temporary Scalar alive across it (no
/// GC.KeepAlive), so the collection can finalize the Scalar mid-call ("Unknown scalar type" crashes seen
/// right after checkpoint log lines). Writing synchronously keeps allocations on the training thread.
/// </summary>
public sealed class SynchronousConsoleLoggerProvider(LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, minimum);

    public void Dispose() { }

    private sealed class Logger(string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var level = logLevel switch
            {
                LogLevel.Warning => "warn", LogLevel.Error => "fail", LogLevel.Critical => "crit", LogLevel.Information => "info", _ => "dbug",
            };
            var line = $"{DateTime.Now:HH:mm:ss} {level}: {category} {formatter(state, exception)}";
            lock (Console.Error) Console.Error.WriteLine(exception is null ? line : line + Environment.NewLine + exception.Message);
        }
    }
}
