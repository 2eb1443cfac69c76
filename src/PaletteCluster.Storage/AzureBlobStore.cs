using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace PaletteCluster.Storage;

/// <summary>Settings of an <see cref="AzureBlobStore"/>.</summary>
public sealed class AzureBlobStoreOptions
{
    /// <summary>Storage account connection string ("UseDevelopmentStorage=true" for a local Azurite).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Container name; created on first use if missing (unless <see cref="CreateContainerIfMissing"/> is false).</summary>
    public string Container { get; set; } = "palette";

    /// <summary>
    /// Create the container on first use. Readers turn this off so that a mistyped container is reported
    /// (HTTP 404 ContainerNotFound) instead of being created empty.
    /// </summary>
    public bool CreateContainerIfMissing { get; set; } = true;

    /// <summary>Optional name prefix inside the container ("team-a" makes blob "x" the Azure blob "team-a/x").</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Size of the staged blocks of an upload. Azure allows up to 50,000 blocks per blob: 4 MiB gives 195 GiB.</summary>
    public int BlockSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Time limit of one HTTP request; a hung connection then fails (as transient) instead of blocking forever.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Retries inside the Azure SDK. Default 0: <see cref="RetryingBlobStore"/> owns the retry policy, so its
    /// GiveUpAfter is the real bound and each retry is logged.
    /// </summary>
    public int SdkMaxRetries { get; set; }
}

/// <summary>
/// Blobs in an Azure Storage container (or Azurite). Uploads stage blocks and commit them with one
/// Put Block List: uncommitted blocks are invisible, so readers see the old blob or the complete new one.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly int _blockSize;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _containerGate = new(1, 1);
    private volatile bool _containerReady;

    public AzureBlobStore(AzureBlobStoreOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString, nameof(options.ConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Container, nameof(options.Container));
        if (options.BlockSize is < 64 * 1024 or > 100 * 1024 * 1024)
            throw new ArgumentOutOfRangeException(nameof(options), $"BlockSize must be 64 KiB to 100 MiB, got {options.BlockSize}.");
        if (options.Prefix.Length > 0) BlobNames.Validate(options.Prefix.TrimEnd('/'), nameof(options.Prefix));
        _prefix = options.Prefix.Length == 0 ? "" : options.Prefix.TrimEnd('/') + "/";
        _blockSize = options.BlockSize;
        _containerReady = !options.CreateContainerIfMissing; // nothing to ensure: a missing container fails each request
        _logger = logger;

        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = options.SdkMaxRetries;
        clientOptions.Retry.NetworkTimeout = options.RequestTimeout;
        _container = new BlobContainerClient(options.ConnectionString, options.Container, clientOptions);
        var containerUri = _container.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var account = containerUri[..containerUri.LastIndexOf('/')]; // the URI without query: no SAS token in messages
        Description = $"azure container '{options.Container}' at {account}" + (_prefix.Length > 0 ? $" prefix '{_prefix}'" : "");
    }

    public string Description { get; }

    public Task UploadAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return RunAsync(name, "upload", async ct =>
        {
            var blob = _container.GetBlockBlobClient(AzureName(name));
            // A fresh id per upload: blocks of an abandoned or concurrent upload of the same blob never get mixed in.
            var uploadId = Guid.NewGuid().ToString("N");
            var blockIds = new List<string>();
            var buffer = ArrayPool<byte>.Shared.Rent(_blockSize);
            try
            {
                while (true)
                {
                    var filled = await FillAsync(content, buffer, _blockSize, ct);
                    if (filled == 0) break;
                    // Block ids must all have the same length within a blob: fixed-width index.
                    var id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{uploadId}-{blockIds.Count:D6}"));
                    using var block = new MemoryStream(buffer, 0, filled, writable: false);
                    await blob.StageBlockAsync(id, block, cancellationToken: ct);
                    blockIds.Add(id);
                    if (filled < _blockSize) break;
                }
                ct.ThrowIfCancellationRequested();
                // The only step that changes what readers see.
                await blob.CommitBlockListAsync(blockIds, cancellationToken: ct);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            _logger.LogDebug("Uploaded {Blob} to {Store} in {Blocks} block(s)", name, Description, blockIds.Count);
        }, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default) =>
        RunAsync(name, "open for reading", async ct =>
        {
            var response = await _container.GetBlobClient(AzureName(name)).DownloadStreamingAsync(cancellationToken: ct);
            return response.Value.Content;
        }, cancellationToken);

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        RunAsync(name, "existence check", async ct => (await _container.GetBlobClient(AzureName(name)).ExistsAsync(ct)).Value,
            cancellationToken);

    public Task<IReadOnlyList<BlobItem>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        BlobNames.ValidatePrefix(prefix);
        return RunAsync<IReadOnlyList<BlobItem>>(null, $"listing '{prefix}'", async ct =>
        {
            var items = new List<BlobItem>();
            await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, _prefix + prefix, ct))
                items.Add(new BlobItem(item.Name[_prefix.Length..], item.Properties.ContentLength ?? 0));
            items.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return items;
        }, cancellationToken);
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        RunAsync(name, "delete", async ct =>
            (await _container.GetBlobClient(AzureName(name)).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct)).Value,
            cancellationToken);

    public Task DownloadToFileAsync(string name, string path, CancellationToken cancellationToken = default) =>
        RunAsync(name, $"download to {path}", async ct =>
        {
            var response = await _container.GetBlobClient(AzureName(name)).DownloadStreamingAsync(cancellationToken: ct);
            await using var source = response.Value.Content;
            await LocalFiles.WriteAtomicallyAsync(path, source, ct, ex => Classify(ex, name, $"download to {path}", ct));
        }, cancellationToken);

    public async Task WriteTextAsync(string name, string text, CancellationToken cancellationToken = default)
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
        await UploadAsync(name, content, cancellationToken);
    }

    public Task<string> ReadTextAsync(string name, CancellationToken cancellationToken = default) =>
        RunAsync(name, "read", async ct =>
        {
            var response = await _container.GetBlobClient(AzureName(name)).DownloadContentAsync(ct);
            return response.Value.Content.ToString();
        }, cancellationToken);

    private string AzureName(string name) => _prefix + BlobNames.Validate(name);

    private Task RunAsync(string? name, string what, Func<CancellationToken, Task> action, CancellationToken ct) =>
        RunAsync<bool>(name, what, async c => { await action(c); return true; }, ct);

    /// <summary>Ensures the container, runs <paramref name="action"/>, and turns SDK/network failures into <see cref="BlobStoreException"/>s.</summary>
    private async Task<T> RunAsync<T>(string? name, string what, Func<CancellationToken, Task<T>> action, CancellationToken ct)
    {
        try
        {
            await EnsureContainerAsync(ct);
            return await action(ct);
        }
        catch (Exception ex) when (ex is not BlobStoreException && !(ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            var mapped = Classify(ex, name, what, ct);
            if (ReferenceEquals(mapped, ex)) throw;
            throw mapped;
        }
    }

    private async Task EnsureContainerAsync(CancellationToken ct)
    {
        if (_containerReady) return;
        await _containerGate.WaitAsync(ct);
        try
        {
            if (_containerReady) return;
            await _container.CreateIfNotExistsAsync(cancellationToken: ct);
            _containerReady = true;
        }
        finally
        {
            _containerGate.Release();
        }
    }

    /// <summary>Maps a failure to a <see cref="BlobStoreException"/>; returns <paramref name="ex"/> itself for programming errors.</summary>
    private Exception Classify(Exception ex, string? name, string what, CancellationToken ct)
    {
        switch (ex)
        {
            case BlobStoreException:
                return ex;
            case RequestFailedException { Status: 404 } rf when name is not null && rf.ErrorCode != BlobErrorCode.ContainerNotFound:
                return new BlobNotFoundException(Description, name, ex);
            case RequestFailedException rf:
                var detail = rf.Status == 0 ? FirstLine(rf.Message) : $"HTTP {rf.Status} {rf.ErrorCode}";
                return new BlobStoreException(Description, name, $"{what} failed: {detail}", ex, IsTransientStatus(rf.Status));
            case OperationCanceledException when !ct.IsCancellationRequested:
                // Not our token: the SDK's per-request timeout fired.
                return new BlobStoreException(Description, name, $"{what} timed out: {FirstLine(ex.Message)}", ex, isTransient: true);
            case HttpRequestException or SocketException or TimeoutException:
                return new BlobStoreException(Description, name, $"{what} failed: {FirstLine(ex.Message)}", ex, isTransient: true);
            case IOException io:
                // A dropped connection surfaces as IOException around a socket error; a local disk error does not.
                return new BlobStoreException(Description, name, $"{what} failed: {FirstLine(ex.Message)}", ex, IsNetworkError(io));
            case AggregateException { InnerExceptions.Count: 1 } agg:
                return Classify(agg.InnerException!, name, what, ct);
            default:
                return ex;
        }
    }

    private static bool IsTransientStatus(int status) => status is 0 or 408 or 429 or >= 500;

    private static bool IsNetworkError(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e is SocketException or HttpRequestException or HttpIOException) return true;
        return false;
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>Reads until <paramref name="count"/> bytes or the end of the stream (network streams return short reads).</summary>
    private static async Task<int> FillAsync(Stream stream, byte[] buffer, int count, CancellationToken ct)
    {
        var filled = 0;
        while (filled < count)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled, count - filled), ct);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }
}
