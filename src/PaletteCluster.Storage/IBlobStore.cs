namespace PaletteCluster.Storage;

/// <summary>A blob's name (relative to the store) and size in bytes.</summary>
public sealed record BlobItem(string Name, long Size);

/// <summary>
/// A flat namespace of immutable-until-overwritten blobs, named like relative paths ("job/checkpoints/latest").
/// Every write is all-or-nothing: a reader sees either the previous content or the complete new content, never
/// part of an upload. Failures are <see cref="BlobStoreException"/>s; missing blobs are
/// <see cref="BlobNotFoundException"/>s.
/// </summary>
public interface IBlobStore
{
    /// <summary>Names the store in messages and logs (kind and location; never credentials).</summary>
    string Description { get; }

    /// <summary>Writes <paramref name="content"/> (from its current position to its end) as blob <paramref name="name"/>, replacing any old content atomically.</summary>
    Task UploadAsync(string name, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Opens the blob for reading. Failures while reading the returned stream are not retried by <see cref="RetryingBlobStore"/>; prefer <see cref="DownloadToFileAsync"/> for big blobs.</summary>
    Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Blobs whose names start with <paramref name="prefix"/> (a plain string prefix, "" for all), ordered by name.</summary>
    Task<IReadOnlyList<BlobItem>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob; returns false if it did not exist.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Downloads the blob to <paramref name="path"/> (replaced only once the download is complete).</summary>
    Task DownloadToFileAsync(string name, string path, CancellationToken cancellationToken = default);

    /// <summary>Writes a small UTF-8 text blob (pointers, markers).</summary>
    Task WriteTextAsync(string name, string text, CancellationToken cancellationToken = default);

    /// <summary>Reads a small UTF-8 text blob.</summary>
    Task<string> ReadTextAsync(string name, CancellationToken cancellationToken = default);
}
