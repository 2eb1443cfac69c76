using PaletteCluster.Imaging;
using SkiaSharp;

namespace PaletteCluster.Data.Shards;

/// <summary>The verdict on one image file's bytes: its real format and size, or why it cannot be used.</summary>
public sealed record ImageProbeResult(ImageFormatKind Format, int Width, int Height, ShardIssueKind? Problem, string? Reason)
{
    public bool Usable => Problem is null or ShardIssueKind.Mislabelled;
}

/// <summary>
/// Validates encoded image bytes for the shard builder: sniffs the real format from the magic bytes, reads the size
/// from the header and rejects absurdly large images before any pixel is decoded, then decodes fully with
/// <see cref="ImageCodec.Decode"/> (the training path's decoder) so truncated or corrupt files are caught.
/// </summary>
public static class ImageProbe
{
    public static ImageFormatKind Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return ImageFormatKind.Jpeg;
        if (b.Length >= 8 && b[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return ImageFormatKind.Png;
        if (b.Length >= 6 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8))) return ImageFormatKind.Gif;
        if (b.Length >= 2 && b[0] == (byte)'B' && b[1] == (byte)'M') return ImageFormatKind.Bmp;
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return ImageFormatKind.WebP;
        return ImageFormatKind.Unknown;
    }

    /// <summary>The format an extension claims (.jpg/.jpeg -> JPEG, .png -> PNG; anything else Unknown).</summary>
    public static ImageFormatKind FromExtension(string pathOrExtension) =>
        Path.GetExtension(pathOrExtension).ToLowerInvariant() switch
        {
            ".jpg" or ".jpeg" => ImageFormatKind.Jpeg,
            ".png" => ImageFormatKind.Png,
            _ => ImageFormatKind.Unknown,
        };

    /// <param name="source">names the file in decoder messages.</param>
    public static ImageProbeResult Inspect(byte[] bytes, string source, long maxPixels)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
            return Fail(ImageFormatKind.Unknown, ShardIssueKind.ZeroByte, "zero-byte file");

        var claimed = FromExtension(source);
        var real = Sniff(bytes);
        string claimedText = claimed == ImageFormatKind.Unknown ? $"'{Path.GetExtension(source)}'" : claimed.ToString().ToUpperInvariant();
        if (real is not (ImageFormatKind.Jpeg or ImageFormatKind.Png))
            return Fail(real, ShardIssueKind.NotAnImage, real == ImageFormatKind.Unknown
                ? $"not an image: named as {claimedText} but the bytes are neither JPEG nor PNG"
                : $"unsupported format: named as {claimedText} but the bytes are {real.ToString().ToUpperInvariant()} (only JPEG and PNG are stored)");

        // Header only: the stated size decides "too large" before a single pixel buffer is allocated.
        int width, height;
        using (var stream = new MemoryStream(bytes, writable: false))
        using (var codec = SKCodec.Create(stream, out var createResult))
        {
            if (codec is null)
                return createResult == SKCodecResult.IncompleteInput
                    ? Fail(real, ShardIssueKind.Truncated, "truncated: the file ends inside the image header")
                    : Fail(real, ShardIssueKind.Corrupt, $"corrupt {real.ToString().ToUpperInvariant()} header (decoder said {createResult})");
            width = codec.Info.Width;
            height = codec.Info.Height;
        }
        if (width <= 0 || height <= 0)
            return Fail(real, ShardIssueKind.Corrupt, $"invalid image size {width}x{height}");
        long pixels = (long)width * height;
        if (pixels > maxPixels)
            return new ImageProbeResult(real, width, height, ShardIssueKind.TooLarge,
                $"too large: header says {width}x{height} = {pixels} pixels, above the limit of {maxPixels}");

        try
        {
            ImageCodec.Decode(bytes, source);
        }
        catch (ImageDecodeException e)
        {
            bool truncated = e.Reason.Contains("truncated", StringComparison.OrdinalIgnoreCase)
                             || e.Reason.Contains("incomplete", StringComparison.OrdinalIgnoreCase);
            return new ImageProbeResult(real, width, height,
                truncated ? ShardIssueKind.Truncated : ShardIssueKind.Corrupt, e.Reason);
        }

        if (claimed != real)
            return new ImageProbeResult(real, width, height, ShardIssueKind.Mislabelled,
                $"mislabelled: named as {claimedText} but is {real.ToString().ToUpperInvariant()}; stored as {ShardFormat.ExtensionFor(real)}");
        return new ImageProbeResult(real, width, height, null, null);
    }

    private static ImageProbeResult Fail(ImageFormatKind format, ShardIssueKind kind, string reason) =>
        new(format, 0, 0, kind, reason);
}
