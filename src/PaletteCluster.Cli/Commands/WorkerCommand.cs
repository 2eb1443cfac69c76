using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PaletteCluster.Hosting;
using PaletteCluster.Storage;
using PaletteCluster.Worker;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette worker</c>: joins the cluster as a client and trains the jobs it is given until SIGTERM.</summary>
public static class WorkerCommand
{
    public static Command Create(EnvironmentKnobs knobs)
    {
        var cluster = new ClusterOptions();
        var storage = new Option<DirectoryInfo>("--storage") { Description = "Folder for job checkpoints and samples, shared by all workers", DefaultValueFactory = _ => new DirectoryInfo("runs") };
        var workerId = new Option<string?>("--worker-id") { Description = "Stable worker id (default: host name and process id)" };
        var heartbeat = new Option<double>("--heartbeat-seconds") { Description = "Seconds between heartbeats", DefaultValueFactory = _ => 2.0 };
        var lease = new Option<double>("--lease-seconds") { Description = "Data-shard leases last this long unless renewed (a dead worker's shards are free again after it)", DefaultValueFactory = _ => 60 };
        var checkpointStore = new Option<string?>("--checkpoint-store")
        {
            Description = "Where checkpoints are published and restored from: a folder, or an Azure Storage connection string " +
                          $"(container '{CheckpointStoreLocation.AzureContainer}'). Then --storage may be local to this worker. Default: $PALETTE_CHECKPOINT_STORE; unset keeps checkpoints in --storage only",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PALETTE_CHECKPOINT_STORE") is { Length: > 0 } v ? v : null,
        };
        var outageSeconds = new Option<double>("--store-outage-seconds")
        {
            Description = "How long calls to the checkpoint store are retried (with backoff) before the job is suspended; it resumes by itself when the store answers again",
            DefaultValueFactory = _ => 120,
        }.InRange(0.1, 7 * 24 * 3600);
        var probeSeconds = new Option<double>("--store-probe-seconds") { Description = "While a job is suspended, seconds between checks whether the store answers", DefaultValueFactory = _ => 5 }.InRange(0.1, 3600);
        var maxJobs = new Option<int>("--max-jobs") { Description = "Exit after this many jobs (0: never)", DefaultValueFactory = _ => 0 }.InRange(0, int.MaxValue);
        var device = CommonOptions.Device();
        var libtorch = CommonOptions.LibTorch();
        var command = new Command("worker", "Run a training worker that joins the cluster and trains the jobs it is given");
        foreach (var o in cluster.All) command.Add(o);
        command.Add(storage); command.Add(workerId); command.Add(heartbeat); command.Add(lease); command.Add(maxJobs); command.Add(checkpointStore); command.Add(outageSeconds); command.Add(probeSeconds); command.Add(device); command.Add(libtorch);
        command.SetAction(async (parse, _) =>
        {
            var options = cluster.Read(parse);
            var dev = knobs.InitializeTorch(parse.GetValue(device)!, parse.GetValue(libtorch));
            using var logging = ConsoleReporting.CreateLoggerFactory();
            var logger = logging.CreateLogger("palette.worker");
            using var stop = new ConsoleReporting.StopSignal(logger);
            using var host = PaletteClientHost.Build(options, ConsoleReporting.HostLogging());
            await host.StartAsync(stop.Token);
            var workerOptions = new WorkerOptions
            {
                StorageRoot = parse.GetValue(storage)!.FullName,
                WorkerId = parse.GetValue(workerId) ?? $"{Environment.MachineName}-{Environment.ProcessId}",
                HeartbeatInterval = TimeSpan.FromSeconds(parse.GetValue(heartbeat)),
                MaxJobs = parse.GetValue(maxJobs),
                LeaseDuration = TimeSpan.FromSeconds(parse.GetValue(lease)),
                CheckpointBlobs = parse.GetValue(checkpointStore) is { } location
                    ? CheckpointStoreLocation.Open(location, logger, StoreRetry(parse.GetValue(outageSeconds)))
                    : null,
                StoreProbeInterval = TimeSpan.FromSeconds(parse.GetValue(probeSeconds)),
                SynchronousCheckpoints = knobs.SynchronousCheckpoints,
                PrefetchDepth = knobs.PrefetchDepth,
            };
            if (workerOptions.CheckpointBlobs is { } blobs) logger.LogInformation("Checkpoints are published to {Store}", blobs.Description);
            var worker = new PaletteWorker(host.Services.GetRequiredService<IClusterClient>(), workerOptions, dev, logger);
            await worker.Run(stop.Token);
            await host.StopAsync();
            return 0;
        });
        return command;
    }

    /// <summary>Backoff from 1 s, capped at a quarter of the outage limit so the last tries are not one long wait.</summary>
    private static BlobRetryOptions StoreRetry(double outageSeconds)
    {
        var limit = TimeSpan.FromSeconds(outageSeconds);
        var first = TimeSpan.FromSeconds(Math.Min(1, outageSeconds / 4));
        return new BlobRetryOptions { FirstDelay = first, MaxDelay = TimeSpan.FromTicks(Math.Max(first.Ticks, limit.Ticks / 4)), GiveUpAfter = limit };
    }
}
