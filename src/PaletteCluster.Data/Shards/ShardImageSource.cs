using Microsoft.Extensions.Logging;
using PaletteCluster.Imaging;
using PaletteCluster.Storage;

namespace PaletteCluster.Data.Shards;

/// <summary>Shards as a training source: records in manifest order, decoded from their stored bytes.</summary>
public sealed class ShardImageSource : IImageSource
{
    private readonly ShardReader _reader;

    public ShardImageSource(ShardReader reader)
    {
        _reader = reader;
        if (reader.Count > int.MaxValue) throw new InvalidDataException($"{reader.Folder}: {reader.Count} records exceed one source's limit");
    }

    public int Count => (int)_reader.Count;
    public string Root => _reader.Folder;
    public string NameOf(int index) => _reader.Get(index).Metadata.Source;
    public string Fingerprint => _reader.Manifest.InputFingerprint;

    public RgbImage Load(int index)
    {
        var record = _reader.Get(index);
        return ImageCodec.Decode(record.ImageBytes, $"{record.Shard}:{record.Key}");
    }

    /// <summary>True when <paramref name="folder"/> holds a shard manifest rather than loose images.</summary>
    public static bool IsShardFolder(string folder) =>
        File.Exists(Path.Combine(folder, ShardFormat.ManifestFileName)) && Directory.EnumerateFiles(folder, "shard-*.tar").Any();

    /// <summary>A shard folder (verified manifest) or else a folder of image files.</summary>
    public static IImageSource Open(string folder) =>
        IsShardFolder(folder) ? new ShardImageSource(ShardReader.Open(folder)) : ImageFolder.Scan(folder);

    /// <summary>
    /// A shard set in a blob store, read through <paramref name="cacheFolder"/>: the manifest and every shard are
    /// downloaded there and checked against the manifest's SHA-256 (see <see cref="ShardSetDownloader"/>), then opened
    /// like a local shard folder.
    /// </summary>
    /// <exception cref="ShardIntegrityException">no set in the store, or a shard missing or not matching; names the shard and the store.</exception>
    /// <exception cref="BlobStoreException">the store failed.</exception>
    public static async Task<ShardImageSource> OpenFromStoreAsync(IBlobStore store, string cacheFolder, ILogger logger,
        CancellationToken cancellationToken = default)
    {
        string folder = await new ShardSetDownloader(store, logger).DownloadAsync(cacheFolder, cancellationToken: cancellationToken);
        return new ShardImageSource(ShardReader.Open(folder));
    }
}
