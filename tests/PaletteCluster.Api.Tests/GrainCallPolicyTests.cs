using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using PaletteCluster.Api.Service;

namespace PaletteCluster.Api.Tests;

public class GrainCallPolicyTests
{
    private static GrainCallPolicy Policy(int attempts) => new(
        Options.Create(new JobApiOptions { MaxAttempts = attempts, FirstRetryDelay = TimeSpan.FromMilliseconds(1) }),
        NullLogger<GrainCallPolicy>.Instance);

    [Fact]
    public async Task Rejected_and_timed_out_calls_are_retried_until_one_succeeds()
    {
        int calls = 0;
        var result = await Policy(4).Run("test", () => ++calls switch
        {
            // SiloUnavailableException is the public face of OrleansMessageRejectionException.
            1 => throw new SiloUnavailableException("gateway went away"),
            2 => throw new TimeoutException("no answer"),
            _ => Task.FromResult(calls),
        }, CancellationToken.None);

        Assert.Equal(3, result);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_cluster_that_keeps_failing_is_Unavailable_after_the_last_attempt()
    {
        int calls = 0;
        var e = await Assert.ThrowsAsync<RpcException>(() => Policy(3).Run<int>("list jobs", () =>
        {
            calls++;
            throw new SiloUnavailableException("silo down");
        }, CancellationToken.None));

        Assert.Equal(3, calls);
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Contains("list jobs", e.Status.Detail);
        Assert.Contains("silo down", e.Status.Detail);
    }

    [Fact]
    public async Task Other_exceptions_are_not_retried()
    {
        int calls = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => Policy(5).Run<int>("create", () =>
        {
            calls++;
            throw new InvalidOperationException("job exists");
        }, CancellationToken.None));

        Assert.Equal(1, calls);
    }
}
