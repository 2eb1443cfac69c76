using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using PaletteCluster.Api.Client;
using PaletteCluster.Api.V1;

namespace PaletteCluster.Api.Tests;

[Collection(JobApiCollection.Name)]
public class JobApiClientTests(JobApiFixture fixture)
{
    [Fact]
    public void Address_comes_from_the_option_then_PALETTE_API_then_the_default()
    {
        var environment = new Dictionary<string, string?> { [JobApiClient.AddressVariable] = "http://cluster:6000" };

        Assert.Equal("http://opt:1", JobApiClient.ResolveAddress("http://opt:1", environment.GetValueOrDefault));
        Assert.Equal("http://cluster:6000", JobApiClient.ResolveAddress(null, environment.GetValueOrDefault));
        Assert.Equal("http://127.0.0.1:5280", JobApiClient.ResolveAddress(" ", _ => null));
        var e = Assert.Throws<ArgumentException>(() => new JobApiClient("cluster:6000"));
        Assert.Contains("not an http:// or https:// URL", e.Message);
    }

    [Fact]
    public async Task Unreachable_API_is_one_line_saying_where_it_looked_and_what_to_start()
    {
        int port = FreePort();
        using var client = new JobApiClient($"http://127.0.0.1:{port}", TimeSpan.FromSeconds(10));

        var e = await Assert.ThrowsAsync<JobApiException>(() => client.List());

        Assert.Equal(StatusCode.Unavailable, e.Status);
        Assert.StartsWith($"cannot reach the PaletteCluster API at http://127.0.0.1:{port}/: is `palette silo` running?", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Server_refusals_pass_through_as_the_servers_message()
    {
        using var client = new JobApiClient(fixture.Address);

        var invalid = await Assert.ThrowsAsync<JobApiException>(() => client.Submit("steps: 0\n", "yaml", null, "mine.yaml"));
        var missing = await Assert.ThrowsAsync<JobApiException>(() => client.Get("nobody-home"));

        Assert.Equal(StatusCode.InvalidArgument, invalid.Status);
        Assert.Equal("job spec mine.yaml is invalid (2 problems):\n  mine.yaml:1: steps: must be at least 1, got 0\n  mine.yaml:1: data: required key is missing",
            invalid.Message);
        Assert.Equal((StatusCode.NotFound, "no job 'nobody-home'"), (missing.Status, missing.Message));
        var badFormat = await Assert.ThrowsAsync<JobApiException>(() => client.Submit("steps: 1", "toml", null, "x.toml"));
        Assert.Equal("unknown spec format 'toml': use yaml or json", badFormat.Message);
    }

    [Fact]
    public async Task Client_submits_steers_and_watches_a_job_to_its_end()
    {
        using var client = new JobApiClient(fixture.Address);
        var job = await client.Submit($"data: {fixture.DataFolder}\nsteps: 5\n", "", "client-job", "c.yaml");
        Assert.Contains(job.JobId, (await client.List()).Select(j => j.JobId));
        Assert.Equal(JobState.Paused, (await client.Pause(job.JobId)).State);
        var refused = await Assert.ThrowsAsync<JobApiException>(() => client.Pause(job.JobId));
        Assert.Equal(StatusCode.FailedPrecondition, refused.Status);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var seen = new List<JobEvent>();
        await foreach (var e in client.Watch(job.JobId, cts.Token))
        {
            seen.Add(e);
            if (seen.Count == 1) await client.Cancel(job.JobId);
        }

        Assert.Equal([JobState.Paused, JobState.Cancelled], seen.Select(e => e.Job.State));
        Assert.True(seen[^1].Final);
        Assert.Empty(await client.Metrics(job.JobId));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
