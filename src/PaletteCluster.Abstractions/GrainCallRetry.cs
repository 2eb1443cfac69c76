using Orleans.Runtime;

namespace PaletteCluster.Abstractions;

/// <summary>
/// Retries a grain call that failed because the cluster was changing under it (a silo dying or not yet declared
/// dead rejects messages; calls time out), with exponential backoff. Other errors are the callee's answer and
/// pass through untouched.
/// </summary>
public sealed record GrainCallRetry(int Attempts = 6, TimeSpan? FirstDelay = null, TimeSpan? MaxDelay = null)
{
    public static GrainCallRetry Default { get; } = new();

    public static bool IsTransient(Exception e) =>
        e is OrleansMessageRejectionException or TimeoutException or SiloUnavailableException or GatewayTooBusyException
            or Orleans.Runtime.Messaging.ConnectionFailedException;

    /// <param name="onRetry">Told of each transient failure that will be retried: the error, the attempt that failed, the wait.</param>
    public async Task<T> Run<T>(Func<Task<T>> call, CancellationToken cancel = default, Action<Exception, int, TimeSpan>? onRetry = null)
    {
        var delay = FirstDelay ?? TimeSpan.FromMilliseconds(200);
        var maxDelay = MaxDelay ?? TimeSpan.FromSeconds(5);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (IsTransient(e) && attempt < Attempts)
            {
                onRetry?.Invoke(e, attempt, delay);
                await Task.Delay(delay, cancel);
                delay = delay >= maxDelay / 2 ? maxDelay : delay * 2;
            }
        }
    }

    public Task Run(Func<Task> call, CancellationToken cancel = default) =>
        Run(async () => { await call(); return true; }, cancel);
}
