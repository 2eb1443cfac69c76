namespace PaletteCluster.Storage;

/// <summary>Local-disk helpers shared by the stores.</summary>
internal static class LocalFiles
{
    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="path"/> through a hidden temp file in the same folder,
    /// fsynced and renamed into place: an interrupted download never leaves a partial file under the final name.
    /// I/O errors are passed through <paramref name="wrap"/>.
    /// </summary>
    public static async Task WriteAtomicallyAsync(string path, Stream source, CancellationToken cancellationToken, Func<Exception, Exception> wrap)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.download-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
            {
                await source.CopyToAsync(file, 1 << 20, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw wrap(ex);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }
}
