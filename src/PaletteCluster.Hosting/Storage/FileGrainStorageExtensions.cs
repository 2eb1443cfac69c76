using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;

namespace PaletteCluster.Hosting.Storage;

public static class FileGrainStorageExtensions
{
    /// <summary>Binds grain storage <paramref name="name"/> to JSON files under the configured root folder.</summary>
    public static ISiloBuilder AddFileGrainStorage(this ISiloBuilder silo, string name, Action<FileGrainStorageOptions> configure)
    {
        silo.Services.AddOptions<FileGrainStorageOptions>(name).Configure(configure);
        silo.Services.AddGrainStorage(name, (services, key) =>
        {
            var options = services.GetRequiredService<IOptionsMonitor<FileGrainStorageOptions>>().Get(key);
            return new FileGrainStorage(
                key,
                options,
                options.Serializer ?? new JsonGrainStateSerializer(),
                services.GetRequiredService<ILogger<FileGrainStorage>>());
        });
        return silo;
    }
}
