using System.Runtime.InteropServices;
using SkiaSharp;

namespace PaletteCluster.Imaging;

/// <summary>JPEG/PNG (and anything else Skia decodes) to <see cref="RgbImage"/>, and PNG encoding.</summary>
public static class ImageCodec
{
    /// <summary>
    /// Decodes the file at <paramref name="path"/>. Alpha is composited over black (premultiplied);
    /// grayscale/paletted images are expanded to RGB. EXIF orientation is not applied.
    /// </summary>
    /// <exception cref="ImageDecodeException">missing, zero-byte, truncated, or not an image.</exception>
    public static RgbImage Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, e is FileNotFoundException or DirectoryNotFoundException
                ? "file not found" : $"cannot read file ({e.Message})", e);
        }
        return Decode(bytes, path);
    }

    /// <summary>Decodes encoded image bytes; <paramref name="source"/> names them in errors (a path, a shard entry).</summary>
    public static RgbImage Decode(byte[] encoded, string source)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (encoded.Length == 0)
            throw new ImageDecodeException(source, "zero-byte file");

        using var stream = new MemoryStream(encoded, writable: false);
        using var codec = SKCodec.Create(stream, out SKCodecResult createResult);
        if (codec is null)
            throw new ImageDecodeException(source, createResult switch
            {
                SKCodecResult.IncompleteInput => "truncated or incomplete image header",
                SKCodecResult.Unimplemented => "not a recognised image format (JPEG/PNG expected)",
                _ => $"not a recognised image (JPEG/PNG expected; decoder said {createResult})",
            });

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            throw new ImageDecodeException(source, $"invalid image size {info.Width}x{info.Height}");

        var rgbaInfo = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var rgba = new byte[checked(info.Width * info.Height * 4)];
        SKCodecResult result;
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            result = codec.GetPixels(rgbaInfo, handle.AddrOfPinnedObject());
        }
        finally
        {
            handle.Free();
        }
        if (result != SKCodecResult.Success)
            throw new ImageDecodeException(source, result switch
            {
                SKCodecResult.IncompleteInput => "truncated image data (file ends before the image is complete)",
                SKCodecResult.ErrorInInput => "corrupt image data",
                _ => $"decoding failed ({result})",
            });

        var rgb = new byte[info.Width * info.Height * 3];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = rgba[i];
            rgb[j + 1] = rgba[i + 1];
            rgb[j + 2] = rgba[i + 2];
        }
        return new RgbImage(info.Width, info.Height, rgb);
    }

    /// <summary>Writes <paramref name="image"/> as an opaque 8-bit RGB(A) PNG, creating the folder if needed.</summary>
    public static void SavePng(RgbImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(path);
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);

        using var bitmap = ToBitmap(image);
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new IOException($"PNG encoding failed for '{path}'.");
        using var file = File.Create(path);
        encoded.SaveTo(file);
    }

    /// <summary>An opaque RGBA8888 Skia bitmap copy of the image (caller disposes).</summary>
    internal static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[image.Width * image.Height * 4];
        var src = image.Pixels;
        for (int i = 0, j = 0; j < src.Length; i += 4, j += 3)
        {
            rgba[i] = src[j];
            rgba[i + 1] = src[j + 1];
            rgba[i + 2] = src[j + 2];
            rgba[i + 3] = 255;
        }
        IntPtr dst = bitmap.GetPixels();
        int rowBytes = bitmap.RowBytes, row = image.Width * 4;
        for (int y = 0; y < image.Height; y++)
            Marshal.Copy(rgba, y * row, dst + y * rowBytes, row);
        return bitmap;
    }

    /// <summary>Copies an RGBA8888 bitmap back to RGB, dropping alpha.</summary>
    internal static RgbImage FromBitmap(SKBitmap bitmap)
    {
        if (bitmap.ColorType != SKColorType.Rgba8888)
            throw new ArgumentException($"Expected Rgba8888, got {bitmap.ColorType}.", nameof(bitmap));
        int w = bitmap.Width, h = bitmap.Height, rowBytes = bitmap.RowBytes;
        var rows = new byte[rowBytes * h];
        Marshal.Copy(bitmap.GetPixels(), rows, 0, rows.Length);
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            int s = y * rowBytes, d = y * w * 3;
            for (int x = 0; x < w; x++, s += 4, d += 3)
            {
                rgb[d] = rows[s];
                rgb[d + 1] = rows[s + 1];
                rgb[d + 2] = rows[s + 2];
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
