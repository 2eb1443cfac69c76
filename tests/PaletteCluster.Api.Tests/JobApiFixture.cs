using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using PaletteCluster.Api.V1;
using PaletteCluster.Grains;

namespace PaletteCluster.Api.Tests;

/// <summary>
/// A one-silo in-process Orleans cluster running the real grains on memory storage, and the job API served by
/// Kestrel over HTTP/2 on a free loopback port, called through a real gRPC channel.
/// </summary>
public sealed class JobApiFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public WebApplication Web { get; private set; } = null!;
    public string Address { get; private set; } = "";
    public JobService.JobServiceClient Api { get; private set; } = null!;
    /// <summary>An existing folder, so specs pointing at it pass the data path check.</summary>
    public string DataFolder { get; } = Directory.CreateTempSubdirectory("palette-api-data-").FullName;

    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        var cluster = new InProcessTestClusterBuilder(1);
        cluster.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(PaletteStorage.Name);
            silo.UseInMemoryReminderService(); // running jobs keep a watchdog reminder
            silo.AddPaletteGrains();
        });
        Cluster = cluster.Build();
        await Cluster.DeployAsync();

        var web = WebApplication.CreateSlimBuilder();
        web.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        web.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        web.Services.AddSingleton<IGrainFactory>(Cluster.Client);
        web.Services.AddPaletteJobApi(o =>
        {
            o.WatchPollInterval = TimeSpan.FromMilliseconds(40);
            o.FirstRetryDelay = TimeSpan.FromMilliseconds(10);
        });
        Web = web.Build();
        Web.MapPaletteJobApi();
        await Web.StartAsync();
        Address = Web.Urls.Single();
        _channel = GrpcChannel.ForAddress(Address);
        Api = new JobService.JobServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await Web.StopAsync();
        await Web.DisposeAsync();
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(DataFolder, recursive: true);
    }
}

/// <summary>Test classes that share one cluster and API server (and so run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class JobApiCollection : ICollectionFixture<JobApiFixture>
{
    public const string Name = "job api";
}
