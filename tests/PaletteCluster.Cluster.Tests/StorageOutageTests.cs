using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.Api.Client;
using PaletteCluster.Api.V1;
using PaletteCluster.Storage;
using PaletteCluster.Testing;
using PaletteCluster.Worker;

namespace PaletteCluster.Cluster.Tests;

public sealed partial class MultiProcessClusterTests
{
    /// <summary>
    /// The job's shard set and checkpoints are in one blob account (Azurite), which is stopped while the job trains: the worker's publishes fail past
    /// --store-outage-seconds, the job shows Suspended with the reason and stops advancing; Azurite comes back, the job
    /// runs again by itself and completes, bitwise like an uninterrupted run, and the store never pointed at an
    /// incomplete checkpoint.
    /// </summary>
    [Fact]
    public async Task A_job_whose_checkpoint_store_goes_down_is_suspended_and_completes_by_itself_when_the_store_is_back()
    {
        using var postgres = new PostgresServer();
        using var azurite = new AzuriteServer();
        Assert.Equal(0, PaletteProcess.Run("db", "init", "--connection", postgres.ConnectionString).ExitCode);
        string clusterId = $"outage-{Guid.NewGuid():N}"[..12];
        var silos = new[] { Ports() };
        await StartSilos(postgres, clusterId, silos, "--worker-timeout-seconds", "10");
        // The data set lives in the same blob account as the checkpoints: shards built straight into Azurite.
        var azure = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString,
            ["PALETTE_DATA_CACHE"] = Path.Combine(_root, "cache-w1"),
        };
        var build = PaletteProcess.Run(azure, "shards", "build", "--input", RealPhotos.CopyTo(Path.Combine(_root, "photos"), 4),
            "--output", "azure:palette-shards/photos", "--staging", Path.Combine(_root, "staging"));
        Assert.True(build.ExitCode == 0, build.All);
        var worker = _processes.Start("worker w1", azure, "worker", "--mode", "cluster", "--postgres", postgres.ConnectionString, "--cluster-id", clusterId,
            "--storage", Path.Combine(_root, "storage-w1"), "--checkpoint-store", azurite.ConnectionString,
            "--store-outage-seconds", "3", "--store-probe-seconds", "1",
            "--worker-id", "w1", "--device", "cpu", "--heartbeat-seconds", "1", "--lease-seconds", "3");
        await worker.WaitForLine("Worker w1 registered", StartTimeout);

        using var api = new JobApiClient($"http://127.0.0.1:{silos[0].Api}");
        var spec = Spec("azure:palette-shards/photos").Replace("steps: 20", "steps: 80").Replace("report_every: 5", "report_every: 2").Replace("samples: 2", "samples: 0");
        await api.Submit(spec, "yaml", "two-task", "job.yaml");
        var events = new List<JobEvent>();
        using var watchTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var watching = Task.Run(async () => { await foreach (var e in api.Watch("two-task", watchTimeout.Token)) lock (events) events.Add(e); });

        Job job;
        do { await Task.Delay(100); job = await api.Get("two-task"); }
        while (job.CheckpointStep < 10 && job.State is JobState.Pending or JobState.Running && !watchTimeout.IsCancellationRequested);
        Assert.True(job.State == JobState.Running, $"job is {job.State}: {job.Error}\n{AllOutput()}");
        azurite.Stop();
        var storeDown = DateTimeOffset.UtcNow;
        long stepAtOutage = job.Step;

        do { await Task.Delay(200); job = await api.Get("two-task"); }
        while (job.State == JobState.Running && DateTimeOffset.UtcNow - storeDown < TimeSpan.FromMinutes(2));
        Assert.True(job.State == JobState.Suspended, $"job is {job.State} {job.Step}, expected suspended\n{AllOutput()}");
        var suspendedAfter = job.UpdatedAt.ToDateTimeOffset() - storeDown;
        Assert.Contains("unreachable", job.SuspendedBecause);
        Assert.Contains("resumes by itself", job.SuspendedBecause);
        Assert.Equal(["w1"], job.Workers); // still held (and heartbeating)
        var pointedDuringOutage = job.CheckpointStep;

        // Suspended means no training: the step stands still while the store is down.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var still = await api.Get("two-task");
        Assert.Equal(JobState.Suspended, still.State);
        Assert.True(still.Step <= job.Step + 2, $"step went from {job.Step} to {still.Step} while suspended"); // one in-flight report at most
        var status = PaletteProcess.Run("status", "two-task", "--api", $"http://127.0.0.1:{silos[0].Api}");
        Assert.Contains("suspended", status.Stdout);

        azurite.Start();
        var storeBack = DateTimeOffset.UtcNow;
        await watching;
        var final = events[^1].Job;
        Assert.True(final.State == JobState.Completed, $"job ended {final.State}: {final.Error}\n{AllOutput()}");
        Assert.Equal(80, final.Step);
        var runningAgain = events.First(e => e.Job.State == JobState.Running && e.Job.UpdatedAt.ToDateTimeOffset() > storeBack).Job;
        output.WriteLine($"store stopped at step {stepAtOutage} (checkpoint {pointedDuringOutage}); job suspended {suspendedAfter.TotalSeconds:F1} s later " +
                         $"at step {job.Step}; running again {(runningAgain.UpdatedAt.ToDateTimeOffset() - storeBack).TotalSeconds:F1} s after the store came back");

        // No pointer ever named an incomplete checkpoint: every step the job pointed at had been published completely first.
        foreach (var named in events.Select(e => e.Job.CheckpointStep).Where(s => s > 0).Distinct())
            Assert.Matches($@"Checkpoint step {named} published to the store in", worker.Output);
        var store = new CheckpointStore(CheckpointStoreLocation.Open(azurite.ConnectionString, NullLogger.Instance),
            new CheckpointStoreOptions { Job = "two-task" }, NullLogger.Instance);
        var stored = await store.ListAsync();
        Assert.All(stored, c => Assert.Equal(CheckpointState.Complete, c.State));
        Assert.Contains(stored, c => c.Step == 80 && c.IsLatest);
        var restored = await store.RestoreLatestAsync(Path.Combine(_root, "restored"));
        Assert.Empty(restored.Rejected);
        // The plain run reads the worker's verified copy of the shard set (the same bytes as in the store).
        var cached = Assert.Single(Directory.GetDirectories(Path.Combine(_root, "cache-w1")));
        Assert.Contains("data azure:palette-shards/photos is in", worker.Output);
        AssertSameParametersAsPlainRun(spec.Replace("azure:palette-shards/photos", cached), restored.Directory!);
        Assert.Contains("Job suspended: checkpoint store", worker.Output);
        Assert.Contains("answers again", worker.Output);
    }
}
