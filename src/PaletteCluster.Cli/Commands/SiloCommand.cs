using System.CommandLine;
using Microsoft.Extensions.Logging;
using PaletteCluster.Cli.Cluster;
using PaletteCluster.Hosting;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette silo</c>: runs a silo with the gRPC job API until Ctrl+C / SIGTERM.</summary>
public static class SiloCommand
{
    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var apiPort = new Option<int>("--api-port") { Description = "Port of the gRPC job API (0: none)", DefaultValueFactory = _ => 5280 }.InRange(0, 65535);
        var workerTimeout = new Option<double>("--worker-timeout-seconds") { Description = "Declare a worker lost after this long without a heartbeat; its job goes to another worker", DefaultValueFactory = _ => 30 };
        var command = new Command("silo", "Run a control-plane silo (Orleans) serving the job API");
        foreach (var o in cluster.All) command.Add(o);
        command.Add(apiPort);
        command.Add(workerTimeout);
        command.SetAction(async (parse, _) =>
        {
            var options = cluster.Read(parse, parse.GetValue(apiPort)) with { WorkerTimeout = TimeSpan.FromSeconds(parse.GetValue(workerTimeout)) };
            using var logging = ConsoleReporting.CreateLoggerFactory();
            var logger = logging.CreateLogger("palette.silo");
            using var stop = new ConsoleReporting.StopSignal(logger);
            await using var app = PaletteSiloHost.Build(options, ConsoleReporting.HostLogging(), JobValidation.Register);
            await app.StartAsync(stop.Token);
            logger.LogInformation("Silo up ({Mode}): silo port {SiloPort}, gateway {GatewayPort}, API {Api}", options.Mode, options.SiloPort, options.GatewayPort,
                options.ApiPort > 0 ? $"http://{options.AdvertisedAddress}:{options.ApiPort}" : "off");
            try { await Task.Delay(Timeout.Infinite, stop.Token); } catch (OperationCanceledException) { }
            logger.LogInformation("Silo stopping");
            await app.StopAsync();
            return 0;
        });
        return command;
    }
}
