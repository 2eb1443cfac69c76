using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PaletteCluster.Api.Service;
using PaletteCluster.Api.Specs;

namespace PaletteCluster.Api;

public static class JobApiServiceCollectionExtensions
{
    /// <summary>
    /// gRPC, the job API's retry policy and options, and <see cref="DataPathValidator"/>. The host supplies
    /// IGrainFactory (an Orleans silo or client) and may register more <see cref="IJobSpecValidator"/>s.
    /// </summary>
    public static IServiceCollection AddPaletteJobApi(this IServiceCollection services, Action<JobApiOptions>? configure = null)
    {
        services.AddGrpc();
        services.AddOptions<JobApiOptions>();
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton<GrainCallPolicy>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobSpecValidator, DataPathValidator>());
        return services;
    }

    public static GrpcServiceEndpointConventionBuilder MapPaletteJobApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<JobApiService>();
}
