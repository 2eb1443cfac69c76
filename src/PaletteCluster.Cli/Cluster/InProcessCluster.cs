using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PaletteCluster.Hosting;
using PaletteCluster.Worker;
using static TorchSharp.torch;

namespace PaletteCluster.Cli.Cluster;

/// <summary>
/// A silo and a worker in this process on the embedded default (localhost clustering, state in files): what
/// `palette train job.yaml` and the cluster benchmark run. The worker uses the silo's own grain factory.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    private readonly WebApplication _silo;
    private readonly CancellationTokenSource _workerStop = new();
    private Task<int>? _worker;

    private InProcessCluster(WebApplication silo, PaletteSiloOptions options)
    {
        _silo = silo;
        Options = options;
    }

    public PaletteSiloOptions Options { get; }
    public IGrainFactory Grains => _silo.Services.GetRequiredService<IGrainFactory>();
    public string ApiAddress => $"http://{Options.AdvertisedAddress}:{Options.ApiPort}";

    /// <summary>Starts the silo on free ports with its state in stateDirectory.</summary>
    public static async Task<InProcessCluster> Start(string stateDirectory, Action<ILoggingBuilder> logging, Action<IServiceCollection>? services = null)
    {
        var options = new PaletteSiloOptions
        {
            Mode = SiloMode.Embedded, StateDirectory = stateDirectory,
            SiloPort = FreePort(), GatewayPort = FreePort(), ApiPort = FreePort(),
            ClusterId = "palette-local", ServiceId = "palette-local",
        };
        var silo = PaletteSiloHost.Build(options, logging, services);
        await silo.StartAsync();
        return new InProcessCluster(silo, options);
    }

    /// <summary>Runs a worker here until it has done maxJobs jobs (0: until disposed).</summary>
    public PaletteWorker StartWorker(WorkerOptions options, Device device, ILogger logger)
    {
        var worker = new PaletteWorker(Grains, options, device, logger);
        _worker = Task.Run(() => worker.Run(_workerStop.Token));
        return worker;
    }

    /// <summary>Completes when the worker's loop ends (after MaxJobs jobs, or when stopped).</summary>
    public Task WorkerDone => _worker ?? Task.CompletedTask;

    /// <summary>Asks the worker to stop (it checkpoints and releases its job) and waits for it.</summary>
    public async Task StopWorker()
    {
        _workerStop.Cancel();
        if (_worker is not null) await _worker;
    }

    public async ValueTask DisposeAsync()
    {
        await StopWorker();
        await _silo.StopAsync();
        await _silo.DisposeAsync();
        _workerStop.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
