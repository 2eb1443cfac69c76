using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PaletteCluster.Api;
using PaletteCluster.Grains;
using PaletteCluster.Hosting.Postgres;
using PaletteCluster.Hosting.Storage;

namespace PaletteCluster.Hosting;

/// <summary>
/// Builds a silo process: Orleans (embedded or cluster mode) plus the gRPC job API in one ASP.NET Core host.
/// The caller may add services (e.g. job-spec validators that need the training stack) and co-hosted work.
/// </summary>
public static class PaletteSiloHost
{
    public static WebApplication Build(PaletteSiloOptions options, Action<ILoggingBuilder>? logging = null,
        Action<IServiceCollection>? services = null)
    {
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (options.ApiPort > 0)
                kestrel.Listen(IPAddress.Parse(options.AdvertisedAddress), options.ApiPort, l => l.Protocols = HttpProtocols.Http2);
        });
        builder.UseOrleans(silo =>
        {
            silo.AddPaletteGrains();
            if (options.Mode == SiloMode.Embedded)
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
                silo.AddFileGrainStorage("palette", o => o.RootDirectory = Path.GetFullPath(options.StateDirectory));
                silo.UseInMemoryReminderService();
            }
            else
            {
                silo.ConfigureEndpoints(IPAddress.Parse(options.AdvertisedAddress), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
                silo.UsePostgresClustering(ToPostgres(options));
            }
        });
        builder.Services.Configure<JobWatchdogOptions>(o =>
        {
            o.WorkerTimeout = options.WorkerTimeout;
            o.CheckInterval = options.WorkerTimeout / 3 < TimeSpan.FromSeconds(5) ? options.WorkerTimeout / 3 : TimeSpan.FromSeconds(5);
        });
        builder.Services.AddPaletteJobApi();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        if (options.ApiPort > 0) app.MapPaletteJobApi();
        return app;
    }

    internal static PostgresClusterOptions ToPostgres(PaletteSiloOptions options) => new()
    {
        ConnectionString = options.Postgres!,
        ClusterId = options.ClusterId,
        ServiceId = options.ServiceId,
        // JSON without CLR type names: persisted job state survives refactors of the state classes.
        GrainStorageSerializer = new JsonGrainStateSerializer(),
        Membership = options.FastFailureDetection ? MembershipTimeouts.Fast : null,
    };
}
