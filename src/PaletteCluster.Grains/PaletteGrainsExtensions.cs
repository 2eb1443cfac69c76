using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PaletteCluster.Grains;

public static class PaletteGrainsExtensions
{
    /// <summary>
    /// Registers what the grains need besides storage: their options (defaults unless configured) and a clock
    /// (<see cref="TimeProvider.System"/> unless one is registered; tests register a controllable one first).
    /// </summary>
    public static IServiceCollection AddPaletteGrains(
        this IServiceCollection services,
        Action<GrainWriteOptions>? writes = null,
        Action<DashboardOptions>? dashboard = null)
    {
        var writeOptions = services.AddOptions<GrainWriteOptions>();
        if (writes is not null) writeOptions.Configure(writes);
        services.AddOptions<JobWatchdogOptions>();
        var dashboardOptions = services.AddOptions<DashboardOptions>();
        if (dashboard is not null) dashboardOptions.Configure(dashboard);
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    public static ISiloBuilder AddPaletteGrains(
        this ISiloBuilder silo,
        Action<GrainWriteOptions>? writes = null,
        Action<DashboardOptions>? dashboard = null)
    {
        silo.Services.AddPaletteGrains(writes, dashboard);
        return silo;
    }
}
