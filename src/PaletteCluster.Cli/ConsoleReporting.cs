using Microsoft.Extensions.Logging;
using System.Runtime.InteropServices;

namespace PaletteCluster.Cli;

/// <summary>Console plumbing shared by commands: a logger on stderr, synchronous progress, and stop signals.</summary>
public static class ConsoleReporting
{
    /// <summary>Logs go to stderr (stdout stays for results and progress), written on the calling thread.</summary>
    public static ILoggerFactory CreateLoggerFactory() => LoggerFactory.Create(b => b
        .SetMinimumLevel(LogLevel.Information)
        .AddProvider(new SynchronousConsoleLoggerProvider(LogLevel.Information)));

    /// <summary>Logging for silo and client hosts: ours at Information, the frameworks' only from Warning.</summary>
    public static Action<ILoggingBuilder> HostLogging(LogLevel minimum = LogLevel.Information) => builder => builder
        .SetMinimumLevel(minimum)
        .AddFilter("Orleans", LogLevel.Warning)
        // Start-up advice about server GC and the watchdog's first tick: noise for our users.
        .AddFilter("Orleans.Runtime.Silo", LogLevel.Error)
        .AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error)
        .AddFilter("Polly", LogLevel.Warning)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Grpc", LogLevel.Warning)
        .AddProvider(new SynchronousConsoleLoggerProvider(minimum));

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    public sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>Cancels on Ctrl+C or SIGTERM (first signal: stop cleanly after a checkpoint; the process is not killed).</summary>
    public sealed class StopSignal : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly PosixSignalRegistration _sigterm; // must stay referenced, or the handler goes away

        public StopSignal(ILogger logger)
        {
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                logger.LogWarning("Stopping after the current step (Ctrl+C)");
                _cts.Cancel();
            };
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
            {
                ctx.Cancel = true;
                logger.LogWarning("Stopping after the current step (SIGTERM)");
                _cts.Cancel();
            });
        }

        public CancellationToken Token => _cts.Token;

        public void Dispose()
        {
            _sigterm.Dispose();
            _cts.Dispose();
        }
    }
}
