using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace PaletteCluster.Storage;

/// <summary>How <see cref="RetryingBlobStore"/> waits out an unreachable store.</summary>
public sealed class BlobRetryOptions
{
    /// <summary>Wait before the first retry; doubled after each failure up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Total time one operation may keep failing before <see cref="BlobStoreUnavailableException"/>. Long by default:
    /// a storage outage of minutes should pause a week-long run, not kill it.
    /// </summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Retries transient failures of an inner store (network errors, timeouts, 5xx/408/429) with exponential backoff and
/// jitter, logging each retry. An operation that keeps failing past <see cref="BlobRetryOptions.GiveUpAfter"/> throws
/// <see cref="BlobStoreUnavailableException"/>. Missing blobs and other permanent errors pass through at once.
/// Uploads are retried from the stream's starting position, so they need a seekable stream (a non-seekable one
/// gets no retry).
/// </summary>
public sealed class RetryingBlobStore : IBlobStore
{
    private readonly IBlobStore _inner;
    private readonly BlobRetryOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public RetryingBlobStore(IBlobStore inner, BlobRetryOptions options, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        if (options.FirstDelay <= TimeSpan.Zero || options.MaxDelay < options.FirstDelay || options.GiveUpAfter < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), "Need 0 < FirstDelay <= MaxDelay and GiveUpAfter >= 0.");
        _inner = inner;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    public string Description => _inner.Description;

    public Task UploadAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var start = content.CanSeek ? content.Position : 0;
        return RunAsync(name, "upload", async attempt =>
        {
            if (attempt > 1) content.Position = start; // replay what the failed attempt consumed
            await _inner.UploadAsync(name, content, cancellationToken);
            return true;
        }, cancellationToken, replayable: content.CanSeek);
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default) =>
        RunAsync(name, "open for reading", _ => _inner.OpenReadAsync(name, cancellationToken), cancellationToken);

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        RunAsync(name, "existence check", _ => _inner.ExistsAsync(name, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<BlobItem>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        RunAsync(null, $"listing '{prefix}'", _ => _inner.ListAsync(prefix, cancellationToken), cancellationToken);

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        RunAsync(name, "delete", _ => _inner.DeleteAsync(name, cancellationToken), cancellationToken);

    public Task DownloadToFileAsync(string name, string path, CancellationToken cancellationToken = default) =>
        RunAsync(name, "download", async _ => { await _inner.DownloadToFileAsync(name, path, cancellationToken); return true; }, cancellationToken);

    public Task WriteTextAsync(string name, string text, CancellationToken cancellationToken = default) =>
        RunAsync(name, "write", async _ => { await _inner.WriteTextAsync(name, text, cancellationToken); return true; }, cancellationToken);

    public Task<string> ReadTextAsync(string name, CancellationToken cancellationToken = default) =>
        RunAsync(name, "read", _ => _inner.ReadTextAsync(name, cancellationToken), cancellationToken);

    /// <summary>Runs <paramref name="operation"/> (given the 1-based attempt number) until it succeeds, fails permanently, or the time is up.</summary>
    private async Task<T> RunAsync<T>(string? name, string what, Func<int, Task<T>> operation, CancellationToken ct, bool replayable = true)
    {
        var started = _time.GetTimestamp();
        var delay = _options.FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation(attempt);
            }
            catch (Exception ex) when (IsTransient(ex, ct))
            {
                var elapsed = _time.GetElapsedTime(started);
                if (!replayable)
                    throw new BlobStoreException(Description, name, $"{what} failed and its stream cannot be replayed for a retry: {Reason(ex)}", ex, isTransient: true);
                // Equal jitter: half fixed, half random, so many workers hit by one outage do not retry in lockstep.
                var wait = TimeSpan.FromTicks(delay.Ticks / 2 + (long)(Random.Shared.NextDouble() * (delay.Ticks / 2)));
                if (elapsed + wait > _options.GiveUpAfter)
                {
                    _logger.LogError(ex, "Giving up on {What} of {Blob} in {Store} after {Attempts} attempts in {Elapsed:0.0} s: {Reason}",
                        what, name ?? "(store)", Description, attempt, elapsed.TotalSeconds, Reason(ex));
                    throw new BlobStoreUnavailableException(Description, name,
                        $"{what} still failing after {attempt} attempts in {elapsed.TotalSeconds:0.0} s (limit {_options.GiveUpAfter.TotalSeconds:0.#} s): {Reason(ex)}", ex);
                }
                _logger.LogWarning("Retry {Attempt} of {What} of {Blob} in {Store} in {Delay} ms: {Reason}",
                    attempt, what, name ?? "(store)", Description, (int)wait.TotalMilliseconds, Reason(ex));
                await Task.Delay(wait, _time, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxDelay.Ticks));
            }
        }
    }

    /// <summary>Failures worth waiting out: the store's own verdict, or raw network/timeout errors from stores that do not classify.</summary>
    internal static bool IsTransient(Exception ex, CancellationToken ct) => ex switch
    {
        BlobStoreUnavailableException => false, // an inner retrying store already gave up
        BlobStoreException b => b.IsTransient,
        OperationCanceledException => !ct.IsCancellationRequested,
        TimeoutException or SocketException or HttpRequestException => true,
        IOException io => io.InnerException is SocketException or HttpRequestException,
        _ => false,
    };

    private static string Reason(Exception ex) => ex.Message.ReplaceLineEndings(" ");
}
