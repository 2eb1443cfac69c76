using System.Text.RegularExpressions;
using PaletteCluster.Api.Client;
using PaletteCluster.Api.V1;
using PaletteCluster.Testing;
using Xunit.Abstractions;

namespace PaletteCluster.Cluster.Tests;

/// <summary>
/// A worker process that crashes and is restarted at once under the same worker id (what a container restart of the
/// shipped image does: `palette` runs as PID 1, so the default id `{hostname}-{pid}` comes back) must not strand the
/// job it was training. Found by the chaos test, where the restart races the 3 s worker timeout; here the timeout is
/// the product default (30 s), so the restarted process always registers before the job's watchdog gives up on it.
/// </summary>
public sealed class WorkerRestartTests(ITestOutputHelper output) : IDisposable
{
    private const int WorkerTimeoutSeconds = 30; // `palette silo` default
    private readonly string _root = RealPhotos.NewTempDir("palette-restart");
    private readonly ClusterProcesses _processes = new(output);

    [Fact]
    public async Task A_worker_restarted_under_its_own_id_within_the_worker_timeout_gets_its_job_back()
    {
        using var postgres = new PostgresServer();
        try { await RestartWithinTheTimeout(postgres); }
        finally { _processes.KillAll(); } // before PostgreSQL stops
    }

    private async Task RestartWithinTheTimeout(PostgresServer postgres)
    {
        Assert.Equal(0, PaletteProcess.Run("db", "init", "--connection", postgres.ConnectionString).ExitCode);
        var ports = new[] { ClusterProcesses.Ports() };
        string clusterId = $"rs-{Guid.NewGuid():N}"[..12];
        await _processes.StartSilos(postgres, clusterId, ports, "--worker-timeout-seconds", WorkerTimeoutSeconds.ToString());
        var worker = _processes.Start("worker w1", "worker", "--mode", "cluster", "--postgres", postgres.ConnectionString,
            "--cluster-id", clusterId, "--storage", Path.Combine(_root, "storage"), "--worker-id", "w1", "--device", "cpu",
            "--heartbeat-seconds", "1", "--lease-seconds", "3");
        await worker.WaitForLine("Worker w1 registered", ClusterProcesses.StartTimeout);

        using var api = new JobApiClient($"http://127.0.0.1:{ports[0].Api}");
        string data = RealPhotos.CopyTo(Path.Combine(_root, "data"), 4);
        await api.Submit($"""
            name: restart
            data: {data}
            task: inpainting,colorization
            preset: tiny
            image_size: 32
            batch_size: 2
            steps: 30
            warmup_steps: 5
            checkpoint_every: 10
            report_every: 2
            samples: 0
            """, "yaml", "restart", "job.yaml");
        Job running;
        do { await Task.Delay(200); running = await api.Get("restart"); }
        while (running.CheckpointStep < 10 && running.State is not (JobState.Failed or JobState.Completed));
        Assert.True(running.State == JobState.Running, $"job is {running.State}: {running.Error}");

        worker.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var restarted = _processes.Restart(worker);
        await restarted.WaitForLine("Worker w1 registered", ClusterProcesses.StartTimeout);
        var registeredAfter = DateTimeOffset.UtcNow - killedAt;
        // The premise: the new process is back before the watchdog could have declared the old one lost.
        Assert.True(registeredAfter < TimeSpan.FromSeconds(WorkerTimeoutSeconds - 5),
            $"the restart took {registeredAfter.TotalSeconds:F0} s: too slow to test a restart within the {WorkerTimeoutSeconds} s timeout");
        output.WriteLine($"w1 killed at job step {running.Step}, restarted and registered {registeredAfter.TotalSeconds:F1} s later");

        // The restarted w1 is idle and heartbeats without a job: the job must not stay Running on it. It must be handed
        // back and taken by the new process (w1 is the only worker) within the worker timeout; then it may take its time
        // to train to the end (training speed is not the point, and this VM is often busy).
        await restarted.WaitForLine("took job restart", TimeSpan.FromSeconds(WorkerTimeoutSeconds));
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(5);
        Job job;
        do { await Task.Delay(500); job = await api.Get("restart"); }
        while (job.State != JobState.Completed && DateTimeOffset.UtcNow < deadline);
        var workers = await api.Workers();
        Assert.True(job.State == JobState.Completed,
            $"job stranded {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:F0} s after the kill: {job.State} at step {job.Step} on " +
            $"[{string.Join(", ", job.Workers)}], while the workers say: {string.Join("; ", workers.Select(w => $"{w.WorkerId} active={w.Active} " +
            $"current job='{w.CurrentJob}' last heartbeat {w.LastHeartbeat?.ToDateTimeOffset():HH:mm:ss}"))}. " +
            $"The restarted w1 took the job again: {Regex.IsMatch(restarted.Output, "took job restart")}");
    }

    public void Dispose()
    {
        _processes.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
