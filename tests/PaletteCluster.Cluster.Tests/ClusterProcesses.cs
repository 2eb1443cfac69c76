using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Checkpoints;
using PaletteCluster.Testing;
using Xunit.Abstractions;

namespace PaletteCluster.Cluster.Tests;

/// <summary>
/// The `palette silo` and `palette worker` processes of one multi-process test: started on free ports, restartable
/// with the same arguments after a kill, and all killed on Dispose (their output goes to the test log first), also
/// when the test failed half-way.
/// </summary>
public sealed class ClusterProcesses(ITestOutputHelper output) : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly List<PaletteDaemon> _daemons = [];

    /// <summary>Every process started, in order, including killed ones (their output stays readable).</summary>
    public IReadOnlyList<PaletteDaemon> Daemons
    {
        get { lock (_daemons) return _daemons.ToArray(); }
    }

    public PaletteDaemon Start(string name, params string[] args) => Start(name, null, args);

    /// <summary>Starts a process with extra environment variables (e.g. a blob account's connection string).</summary>
    public PaletteDaemon Start(string name, IDictionary<string, string>? environment, params string[] args)
    {
        var daemon = new PaletteDaemon(name, environment, args);
        lock (_daemons) _daemons.Add(daemon);
        return daemon;
    }

    /// <summary>
    /// Starts a new process with the name, environment and arguments of <paramref name="previous"/> (killed or
    /// stopped), or with <paramref name="name"/> and <paramref name="args"/> when given.
    /// </summary>
    public PaletteDaemon Restart(PaletteDaemon previous, string? name = null, string[]? args = null)
    {
        if (!previous.HasExited) throw new InvalidOperationException($"{previous.Name} is still running");
        var daemon = new PaletteDaemon(name ?? previous.Name, previous.Environment, args ?? [.. previous.Arguments]);
        lock (_daemons) _daemons.Add(daemon);
        return daemon;
    }

    /// <summary>Forgets a stopped process (and disposes it): its output no longer appears in <see cref="AllOutput"/>.</summary>
    public void Remove(PaletteDaemon daemon)
    {
        lock (_daemons) _daemons.Remove(daemon);
        daemon.Dispose();
    }

    public static (int Silo, int Gateway, int Api) Ports() => (ServerScript.FreePort(), ServerScript.FreePort(), ServerScript.FreePort());

    /// <summary>Cluster-mode silos on PostgreSQL with fast failure detection; returns once each says "Silo up".</summary>
    public async Task<IReadOnlyList<PaletteDaemon>> StartSilos(PostgresServer postgres, string clusterId, (int Silo, int Gateway, int Api)[] silos,
        params string[] extra)
    {
        var started = silos.Select((p, i) => Start($"silo {i}", ["silo", "--mode", "cluster", "--postgres", postgres.ConnectionString,
            "--cluster-id", clusterId, "--silo-port", p.Silo.ToString(), "--gateway-port", p.Gateway.ToString(), "--api-port", p.Api.ToString(),
            "--fast-failure-detection", .. extra])).ToList();
        foreach (var silo in started) await silo.WaitForLine("Silo up", StartTimeout);
        return started;
    }

    /// <summary>SIGKILLs every process still running (before the servers they use go away); their output stays readable.</summary>
    public void KillAll()
    {
        foreach (var d in Daemons)
            try { d.Kill(); }
            catch (InvalidOperationException) { }
    }

    public string AllOutput() => string.Join("\n", Daemons.Select(d => $"--- {d.Name} (pid {d.ProcessId})\n{d.Output}"));

    public void Dispose()
    {
        try { output.WriteLine(AllOutput()); }
        catch (InvalidOperationException) { } // no test running any more
        foreach (var d in Daemons)
            try { d.Dispose(); }
            catch (Exception) { } // kill the rest regardless
    }
}

/// <summary>The reference every cluster resume test compares against: the same job trained without interruption in a plain loop.</summary>
public static class PlainRun
{
    /// <summary>Trains <paramref name="spec"/> (YAML) in this process under <paramref name="folder"/>; returns its last checkpoint's manifest.</summary>
    public static CheckpointManifest Train(string spec, string folder)
    {
        var jobSpec = PaletteCluster.Api.Specs.JobSpecReader.Read(spec, "job.yaml");
        var device = PaletteCluster.Training.Runtime.TorchRuntime.Initialize("cpu", null);
        var plain = new PaletteCluster.Training.TrainingRun(PaletteCluster.Worker.JobSpecMapping.ToTrainConfig(jobSpec),
            PaletteCluster.Worker.JobSpecMapping.ToRunOptions(new PaletteCluster.Abstractions.Assignment("plain", jobSpec, null, 0),
                new PaletteCluster.Worker.WorkerOptions { StorageRoot = folder }),
            device, NullLogger.Instance).Run();
        return CheckpointReader.Open(plain.LastCheckpoint!).Manifest;
    }

    /// <summary>The files that must match bitwise for a resumed run to be exact.</summary>
    public static readonly string[] ParameterFiles = [CheckpointFiles.Model, CheckpointFiles.Ema, CheckpointFiles.Optimizer];

    /// <summary>The checkpoint's model, EMA and optimizer state are bitwise those of the job trained without interruption.</summary>
    public static void AssertSameParameters(string spec, string checkpoint, string folder)
    {
        var expected = Train(spec, folder);
        var actual = CheckpointReader.Open(checkpoint).Manifest; // hash-verified
        Assert.Equal(expected.Step, actual.Step);
        foreach (var file in ParameterFiles)
            Assert.Equal(expected.Files[file].Sha256, actual.Files[file].Sha256);
    }
}
