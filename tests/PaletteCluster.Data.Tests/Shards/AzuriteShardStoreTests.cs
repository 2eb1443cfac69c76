using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.Data.Shards;
using PaletteCluster.Storage;
using PaletteCluster.Testing;

namespace PaletteCluster.Data.Tests.Shards;

/// <summary>One Azurite for the shard store tests (build/azurite.sh via tests/Shared/AzuriteServer.cs).</summary>
public sealed class ShardAzuriteFixture : IDisposable
{
    private readonly Lazy<AzuriteServer> _server = new(() => new AzuriteServer());

    public AzuriteServer Server => _server.Value;

    public void Dispose()
    {
        if (_server.IsValueCreated) _server.Value.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ShardAzuriteCollection : ICollectionFixture<ShardAzuriteFixture>
{
    public const string Name = "shard-azurite";
}

/// <summary>The shard store round trip on a real Azure blob API (Azurite), plus the failures only a remote store has.</summary>
[Collection(ShardAzuriteCollection.Name)]
public sealed class AzuriteShardStoreTests(ShardAzuriteFixture azurite) : ShardStoreTests
{
    private readonly Dictionary<IBlobStore, string> _containers = new();

    protected override IBlobStore CreateStore()
    {
        var container = $"shards-{Guid.NewGuid():N}"[..30];
        // Through the user-facing syntax, as the CLI does: azure:<container>/<prefix>, account from the environment.
        var store = ShardDataLocation.Parse($"azure:{container}/sets/a", Environment(azurite.Server.ConnectionString))
            .Open(Logger, new BlobRetryOptions { GiveUpAfter = TimeSpan.FromSeconds(20) });
        _containers[store] = container;
        return store;
    }

    protected override async Task<string> VersionOfAsync(IBlobStore store, string name)
    {
        var blob = new BlobContainerClient(azurite.Server.ConnectionString, _containers[store]).GetBlobClient("sets/a/" + name);
        return (await blob.GetPropertiesAsync()).Value.ETag.ToString();
    }

    private static Func<string, string?> Environment(string connectionString) =>
        name => name == BlobStoreLocation.ConnectionStringVariable ? connectionString : null;

    [Fact]
    public async Task Reading_from_a_missing_container_names_it_and_does_not_create_it()
    {
        var location = ShardDataLocation.Parse("azure:no-such-shards/x", Environment(azurite.Server.ConnectionString));
        var store = location.Open(Logger, new BlobRetryOptions { GiveUpAfter = TimeSpan.FromSeconds(5) }, createContainer: false);

        var e = await Assert.ThrowsAsync<BlobStoreException>(
            () => new ShardSetDownloader(store, Logger).DownloadAsync(Path.Combine(Dir.Path, "cache")));

        Assert.Contains("'no-such-shards'", e.Message);
        Assert.Contains("ContainerNotFound", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False((await new BlobContainerClient(azurite.Server.ConnectionString, "no-such-shards").ExistsAsync()).Value);
    }

    [Fact]
    public async Task An_unreachable_store_fails_before_building_naming_the_store()
    {
        int closedPort = ServerScript.FreePort();
        // Azurite's own account, at a port nothing listens on.
        var connection = azurite.Server.ConnectionString.Replace($":{azurite.Server.Port}/", $":{closedPort}/", StringComparison.Ordinal);
        var store = ShardDataLocation.Parse("azure:unreachable", Environment(connection))
            .Open(NullLogger.Instance, new BlobRetryOptions { FirstDelay = TimeSpan.FromMilliseconds(100), GiveUpAfter = TimeSpan.FromSeconds(1) });
        ShardTestSupport.WriteGoodImages(Dir, count: 2);
        var options = ShardTestSupport.Options(Dir, output: "staging");

        var e = await Assert.ThrowsAsync<BlobStoreUnavailableException>(() => new ShardStoreBuilder(store, Logger).BuildAsync(options));

        Assert.Contains("'unreachable'", e.Message);
        Assert.Contains($"127.0.0.1:{closedPort}", e.Message);
        Assert.False(Directory.Exists(options.OutputFolder), "nothing is built when the store cannot be reached");
    }
}
