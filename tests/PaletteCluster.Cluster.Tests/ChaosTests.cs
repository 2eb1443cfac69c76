using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.Api.Client;
using PaletteCluster.Api.V1;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Checkpoints;
using PaletteCluster.Storage;
using PaletteCluster.Testing;
using Xunit.Abstractions;

namespace PaletteCluster.Cluster.Tests;

/// <summary>
/// The chaos test of the fault-tolerance work: real PostgreSQL, Azurite as the checkpoint store, two silo processes
/// and two worker processes (each with its own --storage folder), and a tiny job during which random workers and
/// silos are SIGKILLed for N rounds (<c>PALETTE_CHAOS_ROUNDS</c>, default 3; seed <c>PALETTE_CHAOS_SEED</c>).
/// Every killed process is started again at once with the same arguments, so the cluster keeps its size.
/// Prints and writes a report (kills survived, steps lost and recovery time per kill, corrupt checkpoints, completion)
/// and asserts: every kill survived, at most one checkpoint interval lost per kill, no corrupt checkpoint in the
/// store, the job completed, and its parameters bitwise equal to an uninterrupted run.
/// </summary>
/// <remarks>
/// Restarts keep the worker id and the worker's --storage folder. That is what the shipped image does: its
/// ENTRYPOINT runs `palette` as PID 1, so the default id `{hostname}-{pid}` is the same when Kubernetes restarts the
/// container in its pod (and a systemd unit passing --worker-id restarts with the same id too), and the node's
/// local disk survives a process crash. It is also the harder case: the cluster must not mistake the restarted,
/// idle process for the one that was training.
/// </remarks>
public sealed class ChaosTests(ITestOutputHelper output) : IDisposable
{
    public const string RoundsVariable = "PALETTE_CHAOS_ROUNDS";
    public const string SeedVariable = "PALETTE_CHAOS_SEED";
    /// <summary>"new-id" restarts a killed worker under a new worker id (a bare-metal restart without --worker-id).</summary>
    public const string RestartVariable = "PALETTE_CHAOS_RESTART";
    private const int DefaultRounds = 3;
    private const int CheckpointEvery = 10;
    private const int ReportEvery = 2;
    private const string JobId = "chaos";
    private static readonly string[] WorkerIds = ["w1", "w2"];
    // Generous: the VM has 2 cores shared with other builds. The test fails (with the cluster's state) when one runs out.
    private static readonly TimeSpan KillPointTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan CompletionTimeout = TimeSpan.FromMinutes(8);
    private static readonly Regex Took = new($@"Worker (\S+) took job {JobId} at checkpoint step (\d+)", RegexOptions.Compiled);
    private static readonly Regex Restored = new($@"Job {JobId}: restored checkpoint step (\d+) from the store", RegexOptions.Compiled);
    private static readonly Regex Skipped = new($@"Job {JobId}: skipped damaged checkpoints in the store: (.*)", RegexOptions.Compiled);

    private readonly string _root = RealPhotos.NewTempDir("palette-chaos");
    private readonly ClusterProcesses _processes = new(output);
    private PaletteDaemon[] _silos = [];
    private readonly Dictionary<string, PaletteDaemon> _workers = [];
    private JobApiClient[] _apis = [];
    private int _siloDown = -1; // index of the silo killed and not up again yet

    [Fact]
    public async Task Random_worker_and_silo_kills_during_a_job_each_lose_at_most_a_checkpoint_interval_and_it_ends_bitwise_like_an_uninterrupted_run()
    {
        int rounds = ReadRounds();
        int seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } s
            ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next();
        var rng = new Random(seed);
        var plan = PlanVictims(rounds, rng);
        // Each round needs a fresh checkpoint and then up to a checkpoint interval more, so at most two intervals;
        // two spare ones keep the last kill away from the end.
        long steps = CheckpointEvery * (2L * rounds + 2);
        var report = new ChaosReport
        {
            Seed = seed, Rounds = rounds, Steps = steps, CheckpointEvery = CheckpointEvery, ReportEvery = ReportEvery, Workers = WorkerIds.Length,
        };
        report.Notes.Add(Environment.GetEnvironmentVariable(RestartVariable) == "new-id"
            ? $"killed workers restarted under a new worker id ({RestartVariable}=new-id)"
            : "killed workers restarted under their own worker id and --storage");
        output.WriteLine($"chaos: seed {seed} (set {SeedVariable} to repeat), {rounds} rounds (set {RoundsVariable} for more), " +
                         $"victims: {string.Join(", ", plan)}");

        using var postgres = new PostgresServer();
        using var azurite = new AzuriteServer();
        string spec = "";
        try
        {
            var init = PaletteProcess.Run("db", "init", "--connection", postgres.ConnectionString);
            Assert.True(init.ExitCode == 0, init.All);
            string clusterId = $"chaos-{Guid.NewGuid():N}"[..14];
            var ports = new[] { ClusterProcesses.Ports(), ClusterProcesses.Ports() };
            _silos = [.. await _processes.StartSilos(postgres, clusterId, ports, "--worker-timeout-seconds", "3")];
            _apis = [.. ports.Select(p => new JobApiClient($"http://127.0.0.1:{p.Api}", TimeSpan.FromSeconds(10)))];
            foreach (var id in WorkerIds)
                _workers[id] = _processes.Start($"worker {id}", "worker", "--mode", "cluster", "--postgres", postgres.ConnectionString,
                    "--cluster-id", clusterId, "--storage", Path.Combine(_root, $"storage-{id}"), "--checkpoint-store", azurite.ConnectionString,
                    "--worker-id", id, "--device", "cpu", "--heartbeat-seconds", "1", "--lease-seconds", "3");
            foreach (var id in WorkerIds) await _workers[id].WaitForLine($"Worker {id} registered", ClusterProcesses.StartTimeout);

            spec = Spec(RealPhotos.CopyTo(Path.Combine(_root, "data"), 4), steps);
            await _apis[0].Submit(spec, "yaml", JobId, "chaos.yaml");

            long mustPass = 0; // each round waits for a checkpoint newer than this, so every kill interrupts fresh work
            for (int round = 1; round <= rounds; round++)
            {
                // The job shows steps at most checkpoint_every - report_every past its checkpoint (the report of a
                // checkpoint step carries the new pointer), so aim inside that window.
                int ahead = rng.Next(1, CheckpointEvery - ReportEvery + 1);
                var before = await Until($"round {round}: the job {ahead}+ steps past a checkpoint newer than step {mustPass}",
                    j => j.State == JobState.Running && j.Workers.Count == 1 && j.CheckpointStep > mustPass && j.Step - j.CheckpointStep >= ahead,
                    KillPointTimeout);
                Assert.True(before.State == JobState.Running, $"round {round}: the job is {before.State} ({before.Error}) before all kills were made; " +
                                                              $"raise the job's steps\n{_processes.AllOutput()}");
                var (kill, restarted, ready) = KillAndRestart(round, plan[round - 1], before, rng);
                report.Kills.Add(kill);
                await Recover(kill);
                await restarted.WaitForLine(ready, ClusterProcesses.StartTimeout); // full size again before the next kill
                _siloDown = -1;
                mustPass = Math.Max(kill.CheckpointAtKill, kill.ResumedFrom ?? 0);
            }

            var final = await Until("the job to end", j => j.State is JobState.Completed or JobState.Failed or JobState.Cancelled, CompletionTimeout);
            report.FinalState = final.State.ToString();
            report.FinalStep = final.Step;
            report.Completed = final.State == JobState.Completed && final.Step == steps;
            if (final.State != JobState.Completed) report.Notes.Add($"job error: {final.Error}");
            report.UnexplainedTakeOvers = TakeOvers(DateTimeOffset.MinValue).Count - 1 - report.Kills.Sum(k => k.TakeOvers);

            await VerifyStore(azurite, report, spec, steps);
        }
        finally
        {
            _processes.KillAll(); // before PostgreSQL and Azurite stop, or the silos log their failures
            WriteReport(report);
        }

        // The verdicts, after the report is out.
        Assert.True(report.Completed == true, $"job did not complete: {report.FinalState} at step {report.FinalStep}\n{report}");
        Assert.Equal(rounds, report.KillsSurvived);
        Assert.Contains(report.Kills, k => k.Kind == ChaosVictim.Silo || rounds < 2);
        // Steps lost are counted from the step the API showed just before the kill. The trainer may be up to
        // report_every - 1 steps (plus reports queued behind a checkpoint upload) further than that, so the real loss
        // can exceed this count by that much; the count itself is bounded by one interval because the kill point is
        // chosen fewer than checkpoint_every steps past the job's published checkpoint, and the store's latest
        // checkpoint is never older than that one. A larger count means a resume went back past the job's checkpoint.
        Assert.All(report.Kills, k => Assert.InRange(k.StepsLost!.Value, 0, CheckpointEvery));
        Assert.Equal(0, report.CorruptFound);
        Assert.True(report.LatestComplete, $"latest pointer {report.Latest} does not name a complete, verified checkpoint");
        Assert.True(report.BitwiseEqual, "final parameters differ from an uninterrupted run");
        // Killing a silo kills no worker: the job must stay with the worker training it. When it does not, the
        // process logs show why (so far: the worker's heartbeat call in flight through the dead gateway waits out
        // Orleans' 30 s response timeout, the worker timeout expires, and a healthy, still-training worker is
        // declared lost while another one takes the job; see the report's process log).
        Assert.All(report.Kills.Where(k => k.Kind == ChaosVictim.Silo), k => Assert.True(k.TakeOvers == 0,
            $"round {k.Round}: killing {k.Victim} took the job away from its healthy worker ({k.TakeOvers} take-over(s), " +
            $"resumed from step {k.ResumedFrom}, first new step {k.RecoverySeconds:F1} s after the kill)\n{report}"));
        Assert.True(report.UnexplainedTakeOvers == 0, $"{report.UnexplainedTakeOvers} take-over(s) with no kill before them\n{report}");
    }

    /// <summary>Mostly workers; about a third silos, at least one when there are two rounds or more.</summary>
    private static ChaosVictim[] PlanVictims(int rounds, Random rng)
    {
        var plan = Enumerable.Repeat(ChaosVictim.Worker, rounds).ToArray();
        if (rounds >= 2)
            foreach (var i in Enumerable.Range(0, rounds).OrderBy(_ => rng.Next()).Take(Math.Max(1, rounds / 3)))
                plan[i] = ChaosVictim.Silo;
        return plan;
    }

    private static int ReadRounds()
    {
        var text = Environment.GetEnvironmentVariable(RoundsVariable);
        if (string.IsNullOrWhiteSpace(text)) return DefaultRounds;
        if (!int.TryParse(text, CultureInfo.InvariantCulture, out var rounds) || rounds < 1)
            throw new ArgumentException($"{RoundsVariable} must be a whole number of rounds, at least 1; got '{text}'");
        return rounds;
    }

    /// <summary>SIGKILLs the victim and starts it again at once; returns the kill, the new process and the line that says it is up.</summary>
    private (ChaosKill Kill, PaletteDaemon Restarted, string Ready) KillAndRestart(int round, ChaosVictim kind, Job before, Random rng)
    {
        PaletteDaemon victim;
        string name;
        int silo = -1;
        if (kind == ChaosVictim.Silo)
        {
            silo = rng.Next(_silos.Length);
            (victim, name) = (_silos[silo], $"silo {silo}");
        }
        else
        {
            (victim, name) = (_workers[before.Workers[0]], $"worker {before.Workers[0]}");
        }
        var kill = new ChaosKill
        {
            Round = round, Kind = kind, Victim = name, ProcessId = victim.ProcessId, StepAtKill = before.Step,
            CheckpointAtKill = before.CheckpointStep, KilledAt = DateTimeOffset.UtcNow,
        };
        if (silo >= 0) _siloDown = silo;
        victim.Kill();
        output.WriteLine($"round {round}: SIGKILL {name} (pid {kill.ProcessId}) at job step {kill.StepAtKill}, checkpoint {kill.CheckpointAtKill}");
        if (silo >= 0)
        {
            // Started again at once, as a supervisor would: same arguments (ports).
            _silos[silo] = _processes.Restart(victim);
            return (kill, _silos[silo], "Silo up");
        }
        // Same worker id and --storage by default (see the class remarks); PALETTE_CHAOS_RESTART=new-id gives the
        // restarted process a new id, as `{hostname}-{pid}` does outside a container.
        string id = before.Workers[0];
        string newId = Environment.GetEnvironmentVariable(RestartVariable) == "new-id" ? $"{id.Split('-')[0]}-r{round}" : id;
        var args = victim.Arguments.ToArray();
        args[Array.IndexOf(args, "--worker-id") + 1] = newId;
        _workers.Remove(id);
        _workers[newId] = _processes.Restart(victim, $"worker {newId}", args);
        return (kill, _workers[newId], $"Worker {newId} registered");
    }

    /// <summary>
    /// Waits until the job runs again after the kill with a checkpoint newer than the one it had at the kill, and
    /// records who took it over, the checkpoint it resumed from, and when the first new step was reported.
    /// </summary>
    private async Task Recover(ChaosKill kill)
    {
        var deadline = DateTimeOffset.UtcNow + RecoveryTimeout;
        var points = new Dictionary<(long, DateTimeOffset), long>();
        Job? job = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200);
            job = await TryGetJob() ?? job;
            foreach (var p in await TryMetrics()) points.TryAdd((p.Step, p.At.ToDateTimeOffset()), p.Step);

            var takes = TakeOvers(kill.KilledAt);
            kill.TakeOvers = takes.Count;
            if (takes.Count > 0)
            {
                var take = takes[^1];
                (kill.TakenBy, kill.TakenAt, kill.ResumedFrom) = (take.Worker, take.At, take.RestoredStep);
                if (take.RestoredStep is null) continue; // still restoring
            }
            else if (kill.Kind == ChaosVictim.Worker)
            {
                continue; // the job must move to another worker first
            }

            var after = kill.TakenAt ?? kill.KilledAt;
            var first = points.Keys.Where(k => k.Item2 > after).OrderBy(k => k.Item2).FirstOrDefault();
            if (first == default) continue;
            (kill.FirstNewStep, kill.FirstNewStepAt) = (first.Item1, first.Item2);

            if (job is not null && (job.State == JobState.Completed ||
                                    job.State == JobState.Running && job.Workers.Count == 1 && job.CheckpointStep > kill.CheckpointAtKill))
            {
                kill.RecoveredAt = DateTimeOffset.UtcNow;
                output.WriteLine($"round {kill.Round}: recovered; taken by {kill.TakenBy ?? "(same worker)"} from step {kill.ResumedFrom?.ToString() ?? "-"}, " +
                                 $"first new step {kill.FirstNewStep} {kill.RecoverySeconds:F1} s after the kill");
                return;
            }
        }
        var workers = await TryWorkers();
        throw new TimeoutException(
            $"round {kill.Round}: the job did not recover within {RecoveryTimeout.TotalMinutes:F0} min of SIGKILL to {kill.Victim} " +
            $"(taken over by: {kill.TakenBy ?? "nobody"}, resumed from: {kill.ResumedFrom?.ToString() ?? "-"}, first new step: {kill.FirstNewStep?.ToString() ?? "none"}). " +
            $"Job: {Describe(job)}. Workers: {string.Join("; ", workers.Select(w => $"{w.WorkerId} active={w.Active} job='{w.CurrentJob}' heartbeat={w.LastHeartbeat}"))}" +
            $"\n{_processes.AllOutput()}");
    }

    private sealed record TakeOver(string Worker, DateTimeOffset At, long JobCheckpoint, long? RestoredStep);

    /// <summary>Every "took job" line printed by any worker process after <paramref name="since"/>, oldest first, with the step it restored.</summary>
    private List<TakeOver> TakeOvers(DateTimeOffset since)
    {
        var takes = new List<TakeOver>();
        foreach (var daemon in _processes.Daemons.Where(d => d.Name.StartsWith("worker", StringComparison.Ordinal)))
        {
            var lines = daemon.Lines;
            for (int i = 0; i < lines.Count; i++)
            {
                if (lines[i].At <= since || Took.Match(lines[i].Text) is not { Success: true } took) continue;
                long? restored = null;
                for (int j = i + 1; j < lines.Count && restored is null; j++)
                {
                    if (Took.IsMatch(lines[j].Text)) break;
                    if (Restored.Match(lines[j].Text) is { Success: true } r) restored = long.Parse(r.Groups[1].Value, CultureInfo.InvariantCulture);
                }
                takes.Add(new TakeOver(took.Groups[1].Value, lines[i].At, long.Parse(took.Groups[2].Value, CultureInfo.InvariantCulture), restored));
            }
        }
        return [.. takes.OrderBy(t => t.At)];
    }

    /// <summary>
    /// Lists every step folder in the store, downloads each and checks every file against its manifest (size and
    /// SHA-256); checks that "latest" names the final, complete checkpoint; restores it as a worker would and compares
    /// model, EMA and optimizer with the same job trained without interruption.
    /// </summary>
    private async Task VerifyStore(AzuriteServer azurite, ChaosReport report, string spec, long steps)
    {
        foreach (var daemon in _processes.Daemons.Where(d => d.Name.StartsWith("worker", StringComparison.Ordinal)))
            foreach (Match m in Skipped.Matches(daemon.Output))
                report.SkippedByRestores.Add($"{daemon.Name}: {m.Groups[1].Value.Trim()}");

        var blobs = PaletteCluster.Worker.CheckpointStoreLocation.Open(azurite.ConnectionString, NullLogger.Instance);
        var store = new CheckpointStore(blobs, new CheckpointStoreOptions { Job = JobId }, NullLogger.Instance);
        var latest = await store.ReadLatestAsync();
        report.Latest = latest is { } l ? CheckpointFolders.StepFolderName(l) : null;
        bool latestVerified = false;
        foreach (var stored in await store.ListAsync())
        {
            report.VerifiedSteps.Add(stored.Step);
            string? problem = stored.State == CheckpointState.Complete ? null : $"partial: {stored.Problem}";
            if (problem is null)
            {
                var local = Path.Combine(_root, "verify", stored.Folder);
                var prefix = store.BlobOf(stored.Step, "");
                foreach (var blob in await blobs.ListAsync(prefix))
                    await blobs.DownloadToFileAsync(blob.Name, Path.Combine(local, blob.Name[prefix.Length..]));
                try
                {
                    var manifest = CheckpointReader.Open(local).Manifest; // checks every file's size and SHA-256
                    if (manifest.Step != stored.Step) problem = $"manifest says step {manifest.Step}";
                }
                catch (Exception e) when (e is CheckpointException or IOException or InvalidDataException)
                {
                    problem = e.Message;
                }
            }
            if (problem is not null) report.CorruptSteps.Add($"{stored.Folder}: {problem}");
            else if (stored.Step == latest) latestVerified = true;
        }
        report.LatestComplete = latestVerified && latest == steps;

        var restored = await store.RestoreLatestAsync(Path.Combine(_root, "restored"));
        if (restored.Directory is null || restored.Step != steps)
        {
            report.BitwiseEqual = false;
            report.Notes.Add($"restoring the store's latest checkpoint gave step {restored.Step}, rejected: {string.Join("; ", restored.Rejected)}");
            return;
        }
        var expected = PlainRun.Train(spec, Path.Combine(_root, "plain"));
        var actual = CheckpointReader.Open(restored.Directory).Manifest;
        report.BitwiseEqual = expected.Step == actual.Step &&
                              PlainRun.ParameterFiles.All(f => expected.Files[f].Sha256 == actual.Files[f].Sha256);
    }

    private void WriteReport(ChaosReport report)
    {
        var text = report.ToString();
        output.WriteLine(text);
        var stamp = $"{report.StartedAt:yyyyMMdd-HHmmss}-seed{report.Seed}-rounds{report.Rounds}";
        var folder = Path.Combine(ServerScript.RepoRoot(), "tests", "PaletteCluster.Cluster.Tests", "TestResults", "chaos");
        try
        {
            File.WriteAllText(Path.Combine(_root, "chaos-report.md"), text);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"chaos-{stamp}.md"), text);
            File.WriteAllText(Path.Combine(folder, $"chaos-{stamp}-processes.log"), _processes.AllOutput());
            output.WriteLine($"report written to {Path.Combine(folder, $"chaos-{stamp}.md")} (process logs beside it)");
        }
        catch (IOException e)
        {
            output.WriteLine($"could not write the report file: {e.Message}");
        }
    }

    /// <summary>Polls the job through whichever silos are up until <paramref name="done"/> holds or a final state is reached; fails (never hangs) after <paramref name="timeout"/>.</summary>
    private async Task<Job> Until(string what, Func<Job, bool> done, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        Job? job = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            job = await TryGetJob() ?? job;
            if (job is not null && (done(job) || job.State is JobState.Completed or JobState.Failed or JobState.Cancelled)) return job;
            await Task.Delay(100);
        }
        var workers = await TryWorkers();
        throw new TimeoutException($"waited {timeout.TotalMinutes:F0} min for {what}. Job: {Describe(job)}. " +
                                   $"Workers: {string.Join("; ", workers.Select(w => $"{w.WorkerId} active={w.Active} job='{w.CurrentJob}'"))}\n{_processes.AllOutput()}");
    }

    private IEnumerable<JobApiClient> LiveApis() => _apis.Where((_, i) => i != _siloDown);

    private async Task<Job?> TryGetJob()
    {
        foreach (var api in LiveApis())
            try { return await api.Get(JobId); }
            catch (Exception e) when (e is JobApiException or OperationCanceledException) { }
        return null;
    }

    private async Task<IReadOnlyList<MetricPoint>> TryMetrics()
    {
        foreach (var api in LiveApis())
            try { return await api.Metrics(JobId); }
            catch (Exception e) when (e is JobApiException or OperationCanceledException) { }
        return [];
    }

    private async Task<IReadOnlyList<Api.V1.Worker>> TryWorkers()
    {
        foreach (var api in LiveApis())
            try { return await api.Workers(); }
            catch (Exception e) when (e is JobApiException or OperationCanceledException) { }
        return [];
    }

    private static string Describe(Job? job) => job is null
        ? "no silo answered"
        : $"{job.State} at step {job.Step}, checkpoint step {job.CheckpointStep} ({job.Checkpoint}), workers [{string.Join(", ", job.Workers)}], " +
          $"error '{job.Error}', version {job.Version}, updated {job.UpdatedAt?.ToDateTimeOffset():O}";

    private static string Spec(string data, long steps) => $"""
        name: {JobId}
        data: {data}
        task: inpainting,colorization
        preset: tiny
        image_size: 32
        batch_size: 2
        steps: {steps}
        warmup_steps: 5
        checkpoint_every: {CheckpointEvery}
        report_every: {ReportEvery}
        samples: 0
        """;

    public void Dispose()
    {
        foreach (var api in _apis) api.Dispose();
        _processes.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
