using SkiaSharp;

namespace PaletteCluster.Imaging;

/// <summary>Small, allocation-per-call image operations. All return new images.</summary>
public static class ImageOps
{
    /// <summary>The rectangle (x,y,width,height), which must lie inside the image.</summary>
    public static RgbImage Crop(RgbImage image, int x, int y, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > image.Width || y + height > image.Height)
            throw new ArgumentOutOfRangeException(nameof(x),
                $"Crop ({x},{y},{width}x{height}) does not fit inside {image.Width}x{image.Height}.");
        var dst = new byte[width * height * 3];
        for (int row = 0; row < height; row++)
            Buffer.BlockCopy(image.Pixels, ((y + row) * image.Width + x) * 3, dst, row * width * 3, width * 3);
        return new RgbImage(width, height, dst);
    }

    /// <summary>
    /// Resamples to width x height. Downscaling by more than 2x uses trilinear mipmapped sampling (area-like,
    /// no aliasing); otherwise Mitchell cubic. Same size returns a copy.
    /// </summary>
    public static RgbImage Resize(RgbImage image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Target size must be positive, got {width}x{height}.");
        if (width == image.Width && height == image.Height) return image.Clone();

        bool bigDownscale = width * 2 < image.Width || height * 2 < image.Height;
        var sampling = bigDownscale
            ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
            : new SKSamplingOptions(SKCubicResampler.Mitchell);

        using var src = ImageCodec.ToBitmap(image);
        using var skImage = SKImage.FromBitmap(src);
        using var dst = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(dst))
        using (var paint = new SKPaint { IsAntialias = false, BlendMode = SKBlendMode.Src })
        {
            canvas.DrawImage(skImage, new SKRect(0, 0, image.Width, image.Height), new SKRect(0, 0, width, height), sampling, paint);
        }
        return ImageCodec.FromBitmap(dst);
    }

    /// <summary>Mirror left-right.</summary>
    public static RgbImage FlipHorizontal(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height;
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < h; y++)
        {
            int row = y * w * 3;
            for (int x = 0; x < w; x++)
            {
                int s = row + x * 3, d = row + (w - 1 - x) * 3;
                dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(w, h, dst);
    }

    /// <summary>Rec.601 luma Y = 0.299 R + 0.587 G + 0.114 B, rounded to nearest.</summary>
    public static byte Luma(byte r, byte g, byte b) =>
        (byte)Math.Clamp((int)Math.Round(0.299 * r + 0.587 * g + 0.114 * b, MidpointRounding.AwayFromZero), 0, 255);

    /// <summary>Grayscale (Rec.601 luma) replicated to 3 identical channels.</summary>
    public static RgbImage ToLuma(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int i = 0; i < src.Length; i += 3)
        {
            byte y = Luma(src[i], src[i + 1], src[i + 2]);
            dst[i] = y; dst[i + 1] = y; dst[i + 2] = y;
        }
        return new RgbImage(image.Width, image.Height, dst);
    }
}
