using Microsoft.Extensions.Logging;
using PaletteCluster.Testing;

namespace PaletteCluster.Storage.Tests;

/// <summary>The collection's Azurite server (tests/Shared/AzuriteServer.cs) and a factory for stores on it.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    public AzuriteServer Server => _server!;

    public async Task InitializeAsync() => _server = await Task.Run(() => new AzuriteServer());

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A store in a fresh container, so tests never see each other's blobs.</summary>
    public AzureBlobStore CreateStore(ILogger logger, int blockSize = 4 * 1024 * 1024, string prefix = "") =>
        new(new AzureBlobStoreOptions
        {
            ConnectionString = Server.ConnectionString,
            Container = $"t{Guid.NewGuid():N}",
            Prefix = prefix,
            BlockSize = blockSize,
            RequestTimeout = TimeSpan.FromSeconds(10),
        }, logger);
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
