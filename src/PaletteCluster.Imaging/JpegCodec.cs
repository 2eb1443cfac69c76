using SkiaSharp;

namespace PaletteCluster.Imaging;

/// <summary>In-memory JPEG encoding through Skia's libjpeg-turbo (deterministic for the same input and quality).</summary>
public static class JpegCodec
{
    /// <summary>Encodes <paramref name="image"/> as baseline JPEG at <paramref name="quality"/> (1..100).</summary>
    public static byte[] Encode(RgbImage image, int quality)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (quality is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(quality), $"JPEG quality must be in 1..100, got {quality}.");
        using var bitmap = ImageCodec.ToBitmap(image);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality)
            ?? throw new InvalidOperationException($"JPEG encoding failed at quality {quality}.");
        return data.ToArray();
    }

    /// <summary>Encode at <paramref name="quality"/> and decode again: the image with JPEG artifacts, same size.</summary>
    public static RgbImage RoundTrip(RgbImage image, int quality) =>
        ImageCodec.Decode(Encode(image, quality), $"in-memory JPEG (quality {quality})");
}
