using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using PaletteCluster.Hosting.Postgres;

namespace PaletteCluster.Hosting;

/// <summary>A process that joins the cluster as a client (a worker): finds gateways the same way silos find each other.</summary>
public static class PaletteClientHost
{
    /// <summary>How long a client waits for a grain call's answer before it fails (and is retried).</summary>
    public static readonly TimeSpan ClientResponseTimeout = TimeSpan.FromSeconds(10);

    public static IHost Build(PaletteSiloOptions options, Action<ILoggingBuilder>? logging = null)
    {
        options.Validate();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.UseOrleansClient(client =>
        {
            if (options.Mode == SiloMode.Embedded)
                client.UseLocalhostClustering(options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            else
                client.UsePostgresClustering(PaletteSiloHost.ToPostgres(options));
            // Re-read the gateway list often, so workers find silos that restarted on new addresses within seconds.
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            // A call caught in a silo's death otherwise hangs for Orleans' default 30 s. The worker's calls are small
            // and quick; failing them sooner lets retries reach the survivors long before a job's worker timeout.
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ClientResponseTimeout);
        });
        return builder.Build();
    }
}
