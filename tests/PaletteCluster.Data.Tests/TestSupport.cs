using Microsoft.Extensions.Logging;
using PaletteCluster.Imaging;
using SkiaSharp;

namespace PaletteCluster.Data.Tests;

/// <summary>A temp directory removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pc-data-tests-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string relative)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        return full;
    }
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

public static class Samples
{
    public const string OpenCvData = "/usr/share/doc/opencv-doc/examples/data";

    /// <summary>Fails (never skips) when the Debian opencv-doc photos are missing.</summary>
    public static string RequireOpenCvPhoto(string name)
    {
        var path = System.IO.Path.Combine(OpenCvData, name);
        Assert.True(File.Exists(path),
            $"Missing {path}: the real-photo tests need the Debian package opencv-doc. " +
            "Run infra/sample-images/install.sh (it installs opencv-doc and copies the demo photos).");
        return path;
    }

    /// <summary>A deterministic colourful test image (gradients plus a pattern), no two channels equal.</summary>
    public static RgbImage Synthetic(int width, int height, int variant = 0)
    {
        var img = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                img.SetPixel(x, y,
                    (byte)((x * 255 / Math.Max(1, width - 1) + variant * 37) & 255),
                    (byte)((y * 255 / Math.Max(1, height - 1) + variant * 91) & 255),
                    (byte)(((x ^ y) * 7 + variant * 53) & 255));
        return img;
    }

    public static byte[] EncodeJpeg(RgbImage image, int quality = 90)
    {
        var png = System.IO.Path.GetTempFileName();
        try
        {
            ImageCodec.SavePng(image, png);
            using var bmp = SKBitmap.Decode(png);
            using var data = bmp.Encode(SKEncodedImageFormat.Jpeg, quality);
            return data.ToArray();
        }
        finally { File.Delete(png); }
    }

    /// <summary>Writes the four kinds of broken file into <paramref name="dir"/>; returns their relative paths.</summary>
    public static string[] WriteBadFiles(TempDir dir)
    {
        File.WriteAllBytes(dir.File("bad/empty.jpg"), Array.Empty<byte>());
        var jpeg = EncodeJpeg(Synthetic(64, 48, 3));
        File.WriteAllBytes(dir.File("bad/truncated.jpg"), jpeg.AsSpan(0, jpeg.Length / 2).ToArray());
        var noise = new byte[3000];
        var rng = new DeterministicRng(7);
        for (int i = 0; i < noise.Length; i++) noise[i] = (byte)rng.NextUInt64();
        File.WriteAllBytes(dir.File("bad/random.png"), noise);
        File.WriteAllText(dir.File("bad/text.jpg"), "this is not a JPEG, just some text\n");
        return new[] { "bad/empty.jpg", "bad/truncated.jpg", "bad/random.png", "bad/text.jpg" };
    }
}

/// <summary>Collects log messages.</summary>
public sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, string Message)> Entries { get; } = new();
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Add((logLevel, formatter(state, exception)));
}
