namespace PaletteCluster.Imaging;

/// <summary>An image file could not be read or decoded. The message names the file and the reason.</summary>
public sealed class ImageDecodeException : Exception
{
    public string Path { get; }
    public string Reason { get; }

    public ImageDecodeException(string path, string reason, Exception? inner = null)
        : base($"Cannot decode image '{path}': {reason}", inner)
    {
        Path = path;
        Reason = reason;
    }
}
