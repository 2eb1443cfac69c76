using PaletteCluster.Storage;

namespace PaletteCluster.Worker.Tests;

/// <summary>
/// A blob store that logs every write into an <see cref="EventLog"/> before passing it on, and can be switched
/// to fail every call as an outage past the retry limit does.
/// </summary>
internal sealed class RecordingBlobStore(IBlobStore inner, EventLog log) : IBlobStore
{
    public bool Unavailable { get; set; }

    public string Description => inner.Description;

    public Task UploadAsync(string name, Stream content, CancellationToken cancellationToken = default) =>
        Write($"upload {name}", () => inner.UploadAsync(name, content, cancellationToken));

    public Task WriteTextAsync(string name, string text, CancellationToken cancellationToken = default) =>
        Write($"write {name} = {text}", () => inner.WriteTextAsync(name, text, cancellationToken));

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable(name);
        log.Add($"delete {name}");
        return inner.DeleteAsync(name, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default) => Read(name, () => inner.OpenReadAsync(name, cancellationToken));
    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) => Read(name, () => inner.ExistsAsync(name, cancellationToken));
    public Task<IReadOnlyList<BlobItem>> ListAsync(string prefix, CancellationToken cancellationToken = default) => Read(prefix, () => inner.ListAsync(prefix, cancellationToken));
    public Task DownloadToFileAsync(string name, string path, CancellationToken cancellationToken = default) => Read(name, () => inner.DownloadToFileAsync(name, path, cancellationToken));
    public Task<string> ReadTextAsync(string name, CancellationToken cancellationToken = default) => Read(name, () => inner.ReadTextAsync(name, cancellationToken));

    private Task Write(string what, Func<Task> write)
    {
        ThrowIfUnavailable(what);
        log.Add(what);
        return write();
    }

    private Task<T> Read<T>(string name, Func<Task<T>> read)
    {
        ThrowIfUnavailable(name);
        return read();
    }

    private Task Read(string name, Func<Task> read)
    {
        ThrowIfUnavailable(name);
        return read();
    }

    private void ThrowIfUnavailable(string name)
    {
        if (Unavailable) throw new BlobStoreUnavailableException(Description, name, "is unreachable (test outage)", null);
    }
}
