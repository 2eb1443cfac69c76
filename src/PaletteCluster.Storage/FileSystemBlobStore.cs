using Microsoft.Extensions.Logging;

namespace PaletteCluster.Storage;

/// <summary>Where a <see cref="FileSystemBlobStore"/> keeps its blobs.</summary>
public sealed class FileSystemBlobStoreOptions
{
    /// <summary>Folder holding the blobs; created if missing. Blob "a/b" is the file &lt;Root&gt;/a/b.</summary>
    public string Root { get; set; } = "";
}

/// <summary>
/// The embedded default store: blobs are files under a root folder. Uploads go to a hidden temp file in the target's
/// folder, are fsynced, then renamed over the target (rename(2) is atomic on one file system), so readers see the old
/// or the new file, never a partial one. Temp files left by a crash are hidden from listings.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private const string TempInfix = ".tmp-";
    private readonly string _root;
    private readonly ILogger _logger;

    public FileSystemBlobStore(FileSystemBlobStoreOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Root, nameof(options.Root));
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Root));
        _logger = logger;
        Description = $"file system {_root}";
    }

    public string Description { get; }

    public async Task UploadAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(name);
        var folder = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}{TempInfix}{Guid.NewGuid():N}");
        try
        {
            await using (var file = CreateInFolder(folder, temp))
            {
                await content.CopyToAsync(file, 1 << 20, cancellationToken);
                await file.FlushAsync(cancellationToken);
                // Durable before it becomes visible: after a power loss the name must not point at missing data.
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDeleteFile(temp);
            throw new BlobStoreException(Description, name, $"upload failed: {ex.Message}", ex);
        }
        catch
        {
            TryDeleteFile(temp); // cancellation and anything else: the target keeps its old content
            throw;
        }
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        try
        {
            // FileShare.Delete: an open reader must not block a writer's rename or a retention delete.
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 20, useAsync: true);
            return Task.FromResult(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(Description, name, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreException(Description, name, $"open for reading failed: {ex.Message}", ex);
        }
    }

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(PathOf(name)));

    public Task<IReadOnlyList<BlobItem>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        BlobNames.ValidatePrefix(prefix);
        // Walk only the deepest folder the prefix fully names ("a/b/c" -> a/b), then filter by the string prefix.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _root : Path.Combine(_root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        var items = new List<BlobItem>();
        if (Directory.Exists(start))
        {
            try
            {
                foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", SearchOption.AllDirectories))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var name = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                    if (IsReserved(name) || !name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                    items.Add(new BlobItem(name, file.Length));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new BlobStoreException(Description, null, $"listing '{prefix}' failed: {ex.Message}", ex);
            }
        }
        items.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return Task.FromResult<IReadOnlyList<BlobItem>>(items);
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        try
        {
            if (!File.Exists(path)) return Task.FromResult(false);
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BlobStoreException(Description, name, $"delete failed: {ex.Message}", ex);
        }
        RemoveEmptyFolders(Path.GetDirectoryName(path)!);
        return Task.FromResult(true);
    }

    public async Task DownloadToFileAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        await using var source = await OpenReadAsync(name, cancellationToken);
        await LocalFiles.WriteAtomicallyAsync(path, source, cancellationToken,
            ex => new BlobStoreException(Description, name, $"download to {path} failed: {ex.Message}", ex));
    }

    public async Task WriteTextAsync(string name, string text, CancellationToken cancellationToken = default)
    {
        using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        await UploadAsync(name, content, cancellationToken);
    }

    public async Task<string> ReadTextAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var stream = await OpenReadAsync(name, cancellationToken);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private string PathOf(string name) =>
        Path.Combine(_root, BlobNames.Validate(name).Replace('/', Path.DirectorySeparatorChar));

    // Temp files of unfinished uploads: hidden segment (names with such segments are invalid blob names).
    private static bool IsReserved(string name) => name.Split('/').Any(s => s.StartsWith('.'));

    /// <summary>Deletes now-empty parent folders up to the root, so retention does not leave thousands of empty step folders.</summary>
    private void RemoveEmptyFolders(string folder)
    {
        for (var dir = folder; dir.Length > _root.Length && dir.StartsWith(_root, StringComparison.Ordinal); dir = Path.GetDirectoryName(dir)!)
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(dir).Any()) return;
                Directory.Delete(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A concurrent upload just created something here: leave the folder.
                _logger.LogDebug("Kept folder {Folder}: {Reason}", dir, ex.Message);
                return;
            }
        }
    }

    private static FileStream CreateInFolder(string folder, string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            Directory.CreateDirectory(folder);
            try
            {
                return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
            }
            catch (DirectoryNotFoundException) when (attempt < 3)
            {
                // A concurrent delete removed the just-emptied folder between the two calls: create it again.
            }
        }
    }

    private static void TryDeleteFile(string path)
    {
        try { File.Delete(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }
}
