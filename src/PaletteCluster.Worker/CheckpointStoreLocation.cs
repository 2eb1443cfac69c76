using Microsoft.Extensions.Logging;
using PaletteCluster.Storage;

namespace PaletteCluster.Worker;

/// <summary>Turns the `--checkpoint-store` value (a folder or an Azure connection string) into a retrying blob store.</summary>
public static class CheckpointStoreLocation
{
    /// <summary>The Azure container checkpoints go to.</summary>
    public const string AzureContainer = "palette-checkpoints";

    public static bool IsAzureConnectionString(string value) =>
        value.StartsWith("DefaultEndpointsProtocol=", StringComparison.OrdinalIgnoreCase)
        || value.StartsWith("UseDevelopmentStorage=", StringComparison.OrdinalIgnoreCase);

    /// <param name="retry">How long calls are retried before they count as an outage (default <see cref="BlobRetryOptions"/>).</param>
    public static IBlobStore Open(string value, ILogger logger, BlobRetryOptions? retry = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        IBlobStore inner = IsAzureConnectionString(value)
            ? new AzureBlobStore(new AzureBlobStoreOptions { ConnectionString = value, Container = AzureContainer }, logger)
            : new FileSystemBlobStore(new FileSystemBlobStoreOptions { Root = value }, logger);
        // Outages are waited out (and logged) here, so a publish survives a store blip instead of losing the checkpoint.
        return new RetryingBlobStore(inner, retry ?? new BlobRetryOptions(), logger);
    }
}
