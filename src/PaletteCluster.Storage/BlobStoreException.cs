namespace PaletteCluster.Storage;

/// <summary>
/// A blob store operation failed. The message is one line naming the store, the blob and what failed, e.g.
/// <c>blob store azure container 'ckpt' at http://127.0.0.1:10000/devstoreaccount1: upload of jobs/a/latest failed: 503 ServerBusy</c>.
/// </summary>
public class BlobStoreException : Exception
{
    public BlobStoreException(string store, string? blobName, string what, Exception? inner = null, bool isTransient = false)
        : base(Format(store, blobName, what), inner)
    {
        Store = store;
        BlobName = blobName;
        IsTransient = isTransient;
    }

    /// <summary>The store's <see cref="IBlobStore.Description"/>.</summary>
    public string Store { get; }

    /// <summary>The blob concerned, or null for store-wide operations such as listing.</summary>
    public string? BlobName { get; }

    /// <summary>
    /// True when the store judged the failure temporary (network, timeout, 5xx): <see cref="RetryingBlobStore"/>
    /// retries exactly these.
    /// </summary>
    public bool IsTransient { get; }

    private static string Format(string store, string? blobName, string what)
    {
        var text = blobName is null ? $"blob store {store}: {what}" : $"blob store {store}: blob {blobName}: {what}";
        // One line: server messages often carry newlines and XML bodies.
        return text.ReplaceLineEndings(" ");
    }
}

/// <summary>The blob does not exist (never transient).</summary>
public sealed class BlobNotFoundException(string store, string blobName, Exception? inner = null)
    : BlobStoreException(store, blobName, "not found", inner);

/// <summary>
/// The store stayed unreachable for longer than <see cref="BlobRetryOptions.GiveUpAfter"/>: the caller should pause
/// with a clear status rather than fail the job. <see cref="Exception.InnerException"/> is the last failure.
/// </summary>
public sealed class BlobStoreUnavailableException(string store, string? blobName, string what, Exception? inner)
    : BlobStoreException(store, blobName, what, inner);
