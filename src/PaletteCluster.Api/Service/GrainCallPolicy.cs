using PaletteCluster.Abstractions;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PaletteCluster.Api.Service;

/// <summary>
/// Retries grain calls that failed because the cluster was briefly unreachable (a silo restarting, a gateway busy,
/// a call timing out), with doubling waits; past <see cref="JobApiOptions.MaxAttempts"/> the caller gets Unavailable.
/// Any other exception (including the grain's own) passes through at once.
/// </summary>
public sealed class GrainCallPolicy(IOptions<JobApiOptions> options, ILogger<GrainCallPolicy> logger)
{
    public async Task<T> Run<T>(string what, Func<Task<T>> call, CancellationToken cancellation)
    {
        var settings = options.Value;
        // Waits keep doubling (no cap): the API gives up after a handful of attempts anyway.
        var retry = new GrainCallRetry(settings.MaxAttempts, settings.FirstRetryDelay, TimeSpan.MaxValue);
        try
        {
            return await retry.Run(call, cancellation, (e, attempt, delay) =>
                logger.LogWarning("{What} failed (attempt {Attempt} of {Max}): {Error}; retrying in {Delay} ms",
                    what, attempt, settings.MaxAttempts, e.Message, delay.TotalMilliseconds));
        }
        catch (Exception e) when (IsTransient(e))
        {
            logger.LogError(e, "{What} failed after {Attempts} attempts", what, settings.MaxAttempts);
            throw new RpcException(new Status(StatusCode.Unavailable,
                $"the cluster did not answer ({what}) after {settings.MaxAttempts} attempts: {e.Message}"));
        }
    }

    public Task Run(string what, Func<Task> call, CancellationToken cancellation) =>
        Run(what, async () => { await call(); return true; }, cancellation);

    public static bool IsTransient(Exception e) => GrainCallRetry.IsTransient(e);
}
