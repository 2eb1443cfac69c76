using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.Api.Client;
using PaletteCluster.Api.V1;
using PaletteCluster.Checkpoints;
using PaletteCluster.Storage;
using PaletteCluster.Testing;
using PaletteCluster.Worker;
using Xunit.Abstractions;

namespace PaletteCluster.Cluster.Tests;

/// <summary>
/// The product's main path with every part real: PostgreSQL started by the build script, two silo processes and
/// two worker processes on 127.0.0.1, a two-task job submitted and watched through the gRPC API, then the silos
/// restarted and the job still there with its final state.
/// </summary>
public sealed partial class MultiProcessClusterTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartTimeout = ClusterProcesses.StartTimeout;
    private readonly string _root = RealPhotos.NewTempDir("palette-cluster-it");
    private readonly ClusterProcesses _processes = new(output);

    [Fact]
    public async Task Two_silos_and_two_workers_train_a_two_task_job_that_survives_a_silo_restart()
    {
        using var postgres = new PostgresServer();
        var init = PaletteProcess.Run("db", "init", "--connection", postgres.ConnectionString);
        Assert.True(init.ExitCode == 0, init.All);

        string clusterId = $"it-{Guid.NewGuid():N}"[..12];
        var silos = new[] { Ports(), Ports() };
        await StartSilos(postgres, clusterId, silos);
        string storage = Path.Combine(_root, "storage");
        foreach (var id in new[] { "w1", "w2" })
        {
            var worker = Start($"worker {id}", "worker", "--mode", "cluster", "--postgres", postgres.ConnectionString, "--cluster-id", clusterId,
                "--storage", storage, "--worker-id", id, "--device", "cpu", "--heartbeat-seconds", "1");
            await worker.WaitForLine($"Worker {id} registered", StartTimeout);
        }

        using var apiA = new JobApiClient($"http://127.0.0.1:{silos[0].Api}");
        using var apiB = new JobApiClient($"http://127.0.0.1:{silos[1].Api}");
        string data = RealPhotos.CopyTo(Path.Combine(_root, "data"), 4);

        // A bad spec is refused with the reason, and creates nothing.
        var bad = await Assert.ThrowsAsync<JobApiException>(() => apiA.Submit(Spec(data).Replace("steps: 20", "stpes: 20"), "yaml", "bad", "bad.yaml"));
        Assert.Equal(StatusCode.InvalidArgument, bad.Status);
        Assert.Contains("stpes", bad.Message);
        Assert.Empty(await apiA.List());

        var submitted = await apiA.Submit(Spec(data), "yaml", "two-task", "job.yaml");
        Assert.Equal("two-task", submitted.JobId);

        // Watched through the other silo: events until the final one.
        var events = new List<JobEvent>();
        using (var watchTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
            await foreach (var e in apiB.Watch("two-task", watchTimeout.Token)) events.Add(e);
        var final = events[^1].Job;
        Assert.True(final.State == JobState.Completed, $"job ended {final.State}: {final.Error}\n{AllOutput()}");
        Assert.Equal(20, final.Step);
        Assert.Contains(events, e => e.Job.State == JobState.Running && e.Job.Step > 0 && e.Job.Step < 20); // progress on the way
        Assert.Equal(20, final.CheckpointStep);
        var checkpoint = CheckpointReader.Open(final.Checkpoint); // hash-verified
        Assert.Equal(20, checkpoint.Manifest.Step);
        Assert.True(File.Exists(final.SampleGrid), $"sample grid {final.SampleGrid} missing");
        var metrics = await apiA.Metrics("two-task");
        Assert.Equal(new long[] { 5, 10, 15, 20 }, metrics.Select(p => p.Step).ToArray());

        // The CLI sees the same through either silo.
        var status = PaletteProcess.Run("status", "two-task", "--json", "--api", $"http://127.0.0.1:{silos[0].Api}");
        Assert.True(status.ExitCode == 0, status.All);
        var json = System.Text.Json.Nodes.JsonNode.Parse(status.Stdout)!;
        Assert.Equal("two-task", (string?)json["job_id"]);
        Assert.Equal("JOB_STATE_COMPLETED", (string?)json["state"]);
        var watch = PaletteProcess.Run("watch", "two-task", "--api", $"http://127.0.0.1:{silos[1].Api}");
        Assert.True(watch.ExitCode == 0, watch.All);
        var badSpec = Path.Combine(_root, "bad.yaml");
        File.WriteAllText(badSpec, Spec(data).Replace("image_size: 32", "image_size: 30"));
        var refused = PaletteProcess.Run("submit", badSpec, "--api", $"http://127.0.0.1:{silos[1].Api}");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("image_size", refused.Stderr);
        Assert.False(refused.HasStackTrace, refused.All);
        Assert.Single(await apiA.List());

        var workers = await apiA.Workers();
        Assert.Equal(["w1", "w2"], workers.Select(w => w.WorkerId).Order().ToArray());
        Assert.Single(_processes.Daemons, d => d.Name.StartsWith("worker") && d.Output.Contains("took job two-task"));

        // Restart the whole control plane: the job is still listed, completed, with its progress.
        foreach (var silo in _processes.Daemons.Where(d => d.Name.StartsWith("silo")).ToList())
        {
            Assert.Equal(0, await silo.Terminate(TimeSpan.FromMinutes(1)));
            _processes.Remove(silo);
        }
        await StartSilos(postgres, clusterId, silos);
        using var apiAfter = new JobApiClient($"http://127.0.0.1:{silos[1].Api}");
        var listed = Assert.Single(await apiAfter.List());
        Assert.Equal("two-task", listed.JobId);
        Assert.Equal(JobState.Completed, listed.State);
        Assert.Equal(20, listed.Step);
        Assert.Equal(final.Checkpoint, listed.Checkpoint);
        Assert.Equal(final.Version, listed.Version);

        foreach (var d in _processes.Daemons.Where(d => d.Name.StartsWith("worker")))
            Assert.Equal(0, await d.Terminate(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_job_whose_worker_is_killed_moves_to_the_other_worker_and_ends_bitwise_like_an_uninterrupted_run()
    {
        using var postgres = new PostgresServer();
        string storage = Path.Combine(_root, "storage");
        var (final, spec, _) = await KillTheWorkerHoldingTheJob(postgres, "kill", _ => ["--storage", storage]);
        AssertSameParametersAsPlainRun(spec, final.Checkpoint);
    }

    [Fact]
    public async Task A_killed_workers_job_resumes_from_an_Azurite_checkpoint_store_on_a_worker_sharing_no_folder_and_ends_bitwise_like_an_uninterrupted_run()
    {
        using var postgres = new PostgresServer();
        using var azurite = new AzuriteServer();
        // Each worker gets its own --storage: the checkpoint store is the only thing they share.
        var (final, spec, survivor) = await KillTheWorkerHoldingTheJob(postgres, "store",
            id => ["--storage", Path.Combine(_root, $"storage-{id}"), "--checkpoint-store", azurite.ConnectionString]);

        Assert.True(StoreCheckpointRef.TryParse(final.Checkpoint, out var pointedJob, out var pointedStep), $"not a store reference: {final.Checkpoint}");
        Assert.Equal(("two-task", 60L), (pointedJob, pointedStep));
        var took = long.Parse(Regex.Match(survivor.Output, @"took job two-task at checkpoint step (\d+)").Groups[1].Value);
        var restoredStep = Regex.Match(survivor.Output, @"Job two-task: restored checkpoint step (\d+) from the store");
        Assert.True(restoredStep.Success, survivor.Output);
        // The store may hold one checkpoint newer than the job's pointer (published, then killed before reporting it).
        Assert.InRange(long.Parse(restoredStep.Groups[1].Value), Math.Max(took, 10), took + 10);

        var store = new CheckpointStore(CheckpointStoreLocation.Open(azurite.ConnectionString, NullLogger.Instance),
            new CheckpointStoreOptions { Job = "two-task" }, NullLogger.Instance);
        // Retention (newest 3, and every 10th checkpoint: step 100, not reached) left exactly these, all complete.
        var stored = await store.ListAsync();
        Assert.Equal(new long[] { 40, 50, 60 }, stored.Select(c => c.Step).ToArray());
        Assert.All(stored, c => Assert.Equal(CheckpointState.Complete, c.State));
        var restored = await store.RestoreLatestAsync(Path.Combine(_root, "restored"));
        Assert.Equal(60, restored.Step);
        Assert.Empty(restored.Rejected);
        AssertSameParametersAsPlainRun(spec, restored.Directory!);

        // Uploads only: the final checkpoint is published again before Complete, which must find it already there.
        Assert.Matches(@"Checkpoint step 60 published to the store in [0-9.]+ s \(0 bytes, 0 files, already there\)", survivor.Output);
        var publishSeconds = _processes.Daemons.Where(d => d.Name.StartsWith("worker"))
            .SelectMany(d => Regex.Matches(d.Output, @"Checkpoint step (\d+) published to the store in ([0-9.]+) s \([1-9]"))
            .Select(m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(publishSeconds.Count >= 5, $"expected uploads of steps 10 to 60, saw {publishSeconds.Count}"); // 10 by the victim, 20..60 by the survivor
        output.WriteLine($"publish time per checkpoint (Azurite, {stored[^1].Bytes} bytes): min {publishSeconds.Min():F3} s, " +
                         $"mean {publishSeconds.Average():F3} s, max {publishSeconds.Max():F3} s over {publishSeconds.Count} publishes");
    }

    /// <summary>
    /// Two workers (per-worker arguments from <paramref name="storageArgs"/>) and a 60-step job; the worker holding it
    /// is SIGKILLed after step 16 and the other one finishes it. Returns the final job, its spec and the survivor.
    /// </summary>
    private async Task<(Job Final, string Spec, PaletteDaemon Survivor)> KillTheWorkerHoldingTheJob(PostgresServer postgres, string clusterPrefix,
        Func<string, string[]> storageArgs)
    {
        Assert.Equal(0, PaletteProcess.Run("db", "init", "--connection", postgres.ConnectionString).ExitCode);
        string clusterId = $"{clusterPrefix}-{Guid.NewGuid():N}"[..12];
        var silos = new[] { Ports(), Ports() };
        await StartSilos(postgres, clusterId, silos, "--worker-timeout-seconds", "3");
        var workers = new Dictionary<string, PaletteDaemon>();
        foreach (var id in new[] { "w1", "w2" })
        {
            workers[id] = Start($"worker {id}", ["worker", "--mode", "cluster", "--postgres", postgres.ConnectionString, "--cluster-id", clusterId,
                .. storageArgs(id), "--worker-id", id, "--device", "cpu", "--heartbeat-seconds", "1", "--lease-seconds", "3"]);
            await workers[id].WaitForLine($"Worker {id} registered", StartTimeout);
        }
        using var api = new JobApiClient($"http://127.0.0.1:{silos[0].Api}");
        string data = RealPhotos.CopyTo(Path.Combine(_root, "data"), 4);
        var spec = Spec(data).Replace("steps: 20", "steps: 60").Replace("report_every: 5", "report_every: 2").Replace("samples: 2", "samples: 0");
        await api.Submit(spec, "yaml", "two-task", "job.yaml");

        Job running;
        do { await Task.Delay(200); running = await api.Get("two-task"); } while (running.Step < 16 && running.State != JobState.Failed);
        Assert.True(running.State == JobState.Running, $"job is {running.State}: {running.Error}\n{AllOutput()}");
        string victim = Assert.Single(running.Workers), survivor = victim == "w1" ? "w2" : "w1";
        workers[victim].Kill();
        var killedAt = DateTimeOffset.UtcNow;

        var events = new List<JobEvent>();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
            await foreach (var e in api.Watch("two-task", timeout.Token)) events.Add(e);
        var final = events[^1].Job;
        Assert.True(final.State == JobState.Completed, $"job ended {final.State}: {final.Error}\n{AllOutput()}");
        Assert.Equal(60, final.Step);
        Assert.Contains($"worker {victim} lost", final.Error);
        await workers[survivor].WaitForLine("took job two-task at checkpoint step", TimeSpan.FromSeconds(1));
        var resumedFrom = long.Parse(Regex.Match(workers[survivor].Output, @"took job two-task at checkpoint step (\d+)").Groups[1].Value);
        Assert.InRange(running.Step - resumedFrom, 0, 10); // at most one checkpoint interval of work lost
        int reassigned = events.FindIndex(e => e.Job.Workers.Contains(survivor));
        var firstNewStep = events.Skip(reassigned).First(e => e.Job.Step != events[reassigned].Job.Step); // the survivor's first report
        output.WriteLine($"killed {victim} at step >= {running.Step}; {survivor} resumed from step {resumedFrom}; job reassigned " +
                         $"{(events[reassigned].Job.UpdatedAt.ToDateTimeOffset() - killedAt).TotalSeconds:F1} s and first new step (step {firstNewStep.Job.Step}) " +
                         $"reported {(firstNewStep.Job.UpdatedAt.ToDateTimeOffset() - killedAt).TotalSeconds:F1} s after the kill");
        return (final, spec, workers[survivor]);
    }

    private void AssertSameParametersAsPlainRun(string spec, string checkpoint) =>
        PlainRun.AssertSameParameters(spec, checkpoint, Path.Combine(_root, "plain"));

    private Task StartSilos(PostgresServer postgres, string clusterId, (int Silo, int Gateway, int Api)[] silos, params string[] extra) =>
        _processes.StartSilos(postgres, clusterId, silos, extra);

    private static (int Silo, int Gateway, int Api) Ports() => ClusterProcesses.Ports();

    private static string Spec(string data) => $"""
        name: two-task
        data: {data}
        task: inpainting,colorization
        preset: tiny
        image_size: 32
        batch_size: 2
        steps: 20
        warmup_steps: 5
        checkpoint_every: 10
        report_every: 5
        samples: 2
        """;

    private PaletteDaemon Start(string name, params string[] args) => _processes.Start(name, args);

    private string AllOutput() => _processes.AllOutput();

    public void Dispose()
    {
        _processes.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
