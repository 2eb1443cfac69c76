using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using PaletteCluster.Storage;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// Where a shard set lives, as the CLI takes it (<c>shards build --output</c>, <c>train --data</c>,
/// <c>shards verify</c>): a local folder, or a blob store in <see cref="BlobStoreLocation"/>'s syntax
/// (<c>azure:&lt;container&gt;[/&lt;prefix&gt;]</c>, or a connection string meaning the container
/// <see cref="DefaultAzureContainer"/>). A set in a blob store is used through a local cache folder, which is also
/// where builds for that store are staged.
/// </summary>
public static class ShardDataLocation
{
    /// <summary>The container a bare Azure connection string means for shard sets.</summary>
    public const string DefaultAzureContainer = BlobStoreLocation.DefaultShardContainer;

    /// <summary>Overrides the default cache root.</summary>
    public const string CacheVariable = "PALETTE_DATA_CACHE";

    /// <exception cref="ArgumentException">bad syntax; the message names the value.</exception>
    public static BlobStoreLocation Parse(string value, Func<string, string?>? environment = null) =>
        BlobStoreLocation.Parse(value, DefaultAzureContainer, environment);

    /// <summary>$PALETTE_DATA_CACHE, else $XDG_CACHE_HOME/palette/datasets, else ~/.cache/palette/datasets.</summary>
    public static string DefaultCacheRoot(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment(CacheVariable) is { Length: > 0 } explicitRoot) return Path.GetFullPath(explicitRoot);
        string cacheHome = environment("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cacheHome, "palette", "datasets");
    }

    /// <summary>
    /// The cache folder of the set in <paramref name="store"/>: readable (container and prefix) plus a hash of the
    /// store's description, which names the account, so equal container names of two accounts never share a folder.
    /// </summary>
    public static string CacheFolderFor(BlobStoreLocation location, IBlobStore store, string cacheRoot)
    {
        string readable = new((location.Container + (location.Prefix.Length > 0 ? "_" + location.Prefix : ""))
            .Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(store.Description)))[..12];
        return Path.Combine(Path.GetFullPath(cacheRoot), $"{readable}-{hash}");
    }

    /// <summary>
    /// A local folder to read the set from: <paramref name="value"/> itself when it is a folder; for a blob store, its
    /// cache folder after <see cref="ShardSetDownloader"/> brought it up to date (downloading only what changed).
    /// </summary>
    /// <exception cref="ArgumentException">bad syntax.</exception>
    /// <exception cref="ShardIntegrityException">no set in the store, or a shard missing or not matching the manifest.</exception>
    /// <exception cref="BlobStoreException">the store failed (unreachable, missing container, ...).</exception>
    public static async Task<string> ResolveAsync(string value, string cacheRoot, ILogger logger,
        IProgress<ShardTransferProgress>? progress = null, BlobRetryOptions? retry = null, CancellationToken cancellationToken = default)
    {
        var location = Parse(value);
        if (location.Kind == BlobStoreKind.FileSystem) return location.Folder;
        // A reader never creates the container: a mistyped name is reported as missing.
        var store = location.Open(logger, retry, createContainer: false);
        return await new ShardSetDownloader(store, logger).DownloadAsync(CacheFolderFor(location, store, cacheRoot), progress, cancellationToken);
    }
}
