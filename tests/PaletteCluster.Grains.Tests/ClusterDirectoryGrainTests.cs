using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Tests;

/// <summary>
/// Work assignment through the one cluster directory. The directory is shared by the tests of this class, so
/// each test first cancels whatever earlier tests left open.
/// </summary>
public sealed class ClusterDirectoryGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly JobSpec Spec = new() { Name = "inpaint", Recipe = new() { Task = "inpainting", Steps = 10 } };

    private IClusterDirectoryGrain Directory => fixture.Client.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key);

    private async Task<string> Submit(string name)
    {
        var id = name + "-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Client.GetGrain<IJobGrain>(id).Create(Spec with { Name = name });
        await Directory.AddJob(id);
        return id;
    }

    private async Task CancelOpenJobs()
    {
        foreach (var id in await Directory.ListJobs())
        {
            var job = fixture.Client.GetGrain<IJobGrain>(id);
            var status = await job.GetStatus();
            if (status?.State is JobState.Pending or JobState.Running or JobState.Paused) await job.Cancel();
        }
    }

    [Fact]
    public async Task Assigns_the_oldest_pending_job_first_and_skips_finished_ones()
    {
        await CancelOpenJobs();
        var first = await Submit("first");
        var second = await Submit("second");
        var third = await Submit("third");
        await fixture.Client.GetGrain<IJobGrain>(first).Cancel();

        Assert.Equal(second, (await Directory.RequestWork("w1"))?.JobId);
        Assert.Equal(third, (await Directory.RequestWork("w2"))?.JobId);
        Assert.Null(await Directory.RequestWork("w3"));

        // The second job's worker stops on its own: the job is open again and goes to the next asker.
        await fixture.Client.GetGrain<IJobGrain>(second).Release("w1", "ckpt/4", 4);
        var again = await Directory.RequestWork("w3");
        Assert.Equal(second, again?.JobId);
        Assert.Equal("ckpt/4", again?.Checkpoint);

        var jobs = await Directory.ListJobs();
        Assert.True(jobs.ToList().IndexOf(first) < jobs.ToList().IndexOf(third));
    }

    [Fact]
    public async Task Two_workers_asking_at_once_never_get_the_same_job()
    {
        await CancelOpenJobs();
        var only = await Submit("only");

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Directory.RequestWork($"worker-{i % 2}-{i}")));
        var given = answers.Where(a => a is not null).ToArray();
        Assert.Single(given);
        Assert.Equal(only, given[0]!.JobId);
        Assert.Single((await fixture.Client.GetGrain<IJobGrain>(only).GetStatus())!.Workers);
    }

    [Fact]
    public async Task Concurrent_assignment_straight_to_the_job_is_exclusive_too()
    {
        var job = fixture.Client.GetGrain<IJobGrain>("race-" + Guid.NewGuid().ToString("N"));
        await job.Create(Spec);
        var answers = await Task.WhenAll(job.TryAssign("a"), job.TryAssign("b"));
        Assert.Single(answers, a => a is not null);
    }

    [Fact]
    public async Task Workers_are_listed_once_after_registering()
    {
        var id = "worker-" + Guid.NewGuid().ToString("N")[..8];
        var worker = fixture.Client.GetGrain<IWorkerGrain>(id);
        var inventory = new WorkerInventory("host-a", 1234, "cpu", 2, [], 0);
        await worker.Register(inventory);
        await worker.Register(inventory);
        Assert.Single(await Directory.ListWorkers(), w => w == id);
    }

    [Fact]
    public async Task A_worker_that_registers_again_is_taken_off_the_jobs_it_held_which_go_back_to_pending()
    {
        await CancelOpenJobs();
        var held = await Submit("held");
        var suspended = await Submit("suspended");
        var other = await Submit("other");
        Assert.Equal(held, (await Directory.RequestWork("restarting"))!.JobId);
        Assert.Equal(suspended, (await Directory.RequestWork("restarting"))!.JobId);
        await fixture.Client.GetGrain<IJobGrain>(suspended).Suspend("restarting", "checkpoint store unreachable");
        Assert.Equal(other, (await Directory.RequestWork("someone-else"))!.JobId);

        var dropped = await Directory.ReleaseJobsOf("restarting", "worker restarting restarted while holding the job");

        Assert.Equal(new[] { held, suspended }.Order(), dropped.Order());
        foreach (var id in new[] { held, suspended })
        {
            var status = (await fixture.Client.GetGrain<IJobGrain>(id).GetStatus())!;
            Assert.Equal(JobState.Pending, status.State);
            Assert.Empty(status.Workers);
            Assert.Contains("restarted", status.Error);
        }
        Assert.Equal(["someone-else"], (await fixture.Client.GetGrain<IJobGrain>(other).GetStatus())!.Workers); // untouched
        Assert.Empty(await Directory.ReleaseJobsOf("restarting", "again"));
    }
}
