using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Storage;

namespace PaletteCluster.Hosting.Postgres;

/// <summary>
/// Wires a silo or a cluster client to PostgreSQL through Orleans' ADO.NET providers. The database must hold our
/// schema first (<see cref="PostgresSchema"/>, or <c>palette db init</c>).
/// </summary>
public static class PostgresClusteringExtensions
{
    /// <summary>The name the raw ADO.NET provider is registered under; grains use <see cref="PostgresClusterOptions.StorageName"/>.</summary>
    internal const string InnerStorageName = PostgresClusterOptions.StorageName + ".adonet";

    /// <summary>Membership, the "palette" grain storage and reminders, all in PostgreSQL.</summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder builder, PostgresClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        ConfigureCluster(builder.Services, options);
        if (options.Membership is { } timeouts) builder.Services.Configure<ClusterMembershipOptions>(timeouts.ApplyTo);

        builder.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresClusterOptions.Invariant;
            o.ConnectionString = options.ConnectionString;
        });
        builder.AddAdoNetGrainStorage(InnerStorageName, o =>
        {
            o.Invariant = PostgresClusterOptions.Invariant;
            o.ConnectionString = options.ConnectionString;
            if (options.GrainStorageSerializer is { } serializer) o.GrainStorageSerializer = serializer;
        });
        builder.Services.AddKeyedSingleton<IGrainStorage>(PostgresClusterOptions.StorageName,
            (services, _) => new GrainIdentityStorage(services.GetRequiredKeyedService<IGrainStorage>(InnerStorageName)));
        builder.UseAdoNetReminderService(o =>
        {
            o.Invariant = PostgresClusterOptions.Invariant;
            o.ConnectionString = options.ConnectionString;
        });
        return builder;
    }

    /// <summary>Gateway discovery for cluster clients (workers, CLI): the active silos listed in PostgreSQL.</summary>
    public static IClientBuilder UsePostgresClustering(this IClientBuilder builder, PostgresClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        ConfigureCluster(builder.Services, options);
        builder.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresClusterOptions.Invariant;
            o.ConnectionString = options.ConnectionString;
        });
        return builder;
    }

    private static void ConfigureCluster(IServiceCollection services, PostgresClusterOptions options) =>
        services.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });

    private static void Validate(PostgresClusterOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString)) throw new ArgumentException("PostgresClusterOptions.ConnectionString is empty");
        if (string.IsNullOrWhiteSpace(options.ClusterId)) throw new ArgumentException("PostgresClusterOptions.ClusterId is empty");
        if (string.IsNullOrWhiteSpace(options.ServiceId)) throw new ArgumentException("PostgresClusterOptions.ServiceId is empty");
    }
}
