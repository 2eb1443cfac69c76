using PaletteCluster.Storage;

namespace PaletteCluster.Cluster.Tests;

/// <summary>
/// A test seam over a real store: while <see cref="Down"/> is set every call fails the way an unreachable store does
/// (a transient <see cref="BlobStoreException"/>); uploads wait for <see cref="UploadGate"/> (a store that is slow
/// for as long as the test wants).
/// </summary>
internal sealed class SwitchableBlobStore(IBlobStore inner) : IBlobStore
{
    public volatile bool Down;

    public Task UploadGate { get; set; } = Task.CompletedTask;

    public string Description => inner.Description;

    public async Task UploadAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        await Gate(name);
        await UploadGate.WaitAsync(cancellationToken);
        await inner.UploadAsync(name, content, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default)
    {
        await Gate(name);
        return await inner.OpenReadAsync(name, cancellationToken);
    }

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        await Gate(name);
        return await inner.ExistsAsync(name, cancellationToken);
    }

    public async Task<IReadOnlyList<BlobItem>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        await Gate(prefix);
        return await inner.ListAsync(prefix, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        await Gate(name);
        return await inner.DeleteAsync(name, cancellationToken);
    }

    public async Task DownloadToFileAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        await Gate(name);
        await inner.DownloadToFileAsync(name, path, cancellationToken);
    }

    public async Task WriteTextAsync(string name, string text, CancellationToken cancellationToken = default)
    {
        await Gate(name);
        await inner.WriteTextAsync(name, text, cancellationToken);
    }

    public async Task<string> ReadTextAsync(string name, CancellationToken cancellationToken = default)
    {
        await Gate(name);
        return await inner.ReadTextAsync(name, cancellationToken);
    }

    private Task Gate(string name) => Down
        ? Task.FromException(new BlobStoreException(Description, name, "connection refused (test switch)", isTransient: true))
        : Task.CompletedTask;
}
