namespace PaletteCluster.Imaging;

/// <summary>An 8-bit RGB image, pixels interleaved row-major (R,G,B,R,G,B,...), no alpha.</summary>
public sealed class RgbImage
{
    public int Width { get; }
    public int Height { get; }
    /// <summary>Width*Height*3 bytes, row-major, RGB interleaved. Mutable: treat as owned by this image.</summary>
    public byte[] Pixels { get; }

    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Image size must be positive, got {width}x{height}.");
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)width * height * 3)
            throw new ArgumentException($"Expected {(long)width * height * 3} bytes for {width}x{height} RGB, got {pixels.LongLength}.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>A new black image.</summary>
    public RgbImage(int width, int height) : this(width, height, new byte[checked(width * height * 3)]) { }

    public (byte R, byte G, byte B) GetPixel(int x, int y)
    {
        int o = Offset(x, y);
        return (Pixels[o], Pixels[o + 1], Pixels[o + 2]);
    }

    public void SetPixel(int x, int y, byte r, byte g, byte b)
    {
        int o = Offset(x, y);
        Pixels[o] = r; Pixels[o + 1] = g; Pixels[o + 2] = b;
    }

    public RgbImage Clone() => new(Width, Height, (byte[])Pixels.Clone());

    private int Offset(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"Pixel ({x},{y}) outside {Width}x{Height}.");
        return (y * Width + x) * 3;
    }

    public override string ToString() => $"RgbImage {Width}x{Height}";
}
