using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using PaletteCluster.Hosting.Postgres;

namespace PaletteCluster.Hosting.Tests;

/// <summary>Orleans test clusters on real PostgreSQL membership (no test membership), with a fresh ClusterId each.</summary>
public static class TestClusters
{
    private const string ConnectionKey = "PaletteTests:PostgresConnection";

    public static async Task<TestCluster> StartAsync(PostgresServer postgres, string serviceId, short silos = 2)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ClusterId = $"test-{Guid.NewGuid():N}"[..13];
        builder.Options.ServiceId = serviceId;
        builder.Options.UseTestClusterMembership = false;
        builder.Properties[ConnectionKey] = postgres.ConnectionString;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static PostgresClusterOptions Options(IConfiguration configuration) => new()
    {
        ConnectionString = configuration[ConnectionKey]!,
        ClusterId = configuration["Orleans:ClusterId"]!,
        ServiceId = configuration["Orleans:ServiceId"]!,
        Membership = MembershipTimeouts.Fast,
    };

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.UsePostgresClustering(Options(siloBuilder.Configuration));
            siloBuilder.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UsePostgresClustering(Options(configuration));
    }
}
