using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PaletteCluster.Api.Specs;
using PaletteCluster.Worker;

namespace PaletteCluster.Cli.Cluster;

/// <summary>Adds the training stack's spec checks to a silo's job API (the silo itself knows no TorchSharp).</summary>
public static class JobValidation
{
    public static void Register(IServiceCollection services) =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobSpecValidator, DataContentsValidator>());
}
