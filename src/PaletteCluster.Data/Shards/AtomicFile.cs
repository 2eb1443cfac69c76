namespace PaletteCluster.Data.Shards;

/// <summary>Write-to-temp-then-rename, so a reader never sees a half-written manifest or report.</summary>
internal static class AtomicFile
{
    public static void WriteAllBytes(string path, byte[] contents)
    {
        string temp = path + ".tmp";
        using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(contents);
            f.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
