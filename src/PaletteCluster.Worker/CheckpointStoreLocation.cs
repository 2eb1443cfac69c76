using Microsoft.Extensions.Logging;
using PaletteCluster.Storage;

namespace PaletteCluster.Worker;

/// <summary>
/// Turns the `--checkpoint-store` value into a retrying blob store. The syntax (a folder, <c>azure:&lt;container&gt;[/&lt;prefix&gt;]</c>
/// or an Azure connection string) is <see cref="BlobStoreLocation"/>'s, shared with the other commands that take a store.
/// </summary>
public static class CheckpointStoreLocation
{
    /// <summary>The Azure container checkpoints go to when the value is a bare connection string.</summary>
    public const string AzureContainer = "palette-checkpoints";

    /// <param name="retry">How long calls are retried before they count as an outage (default <see cref="BlobRetryOptions"/>):
    /// outages are waited out (and logged), so a publish survives a store blip instead of losing the checkpoint.</param>
    public static IBlobStore Open(string value, ILogger logger, BlobRetryOptions? retry = null) =>
        BlobStoreLocation.Parse(value, AzureContainer).Open(logger, retry);
}
