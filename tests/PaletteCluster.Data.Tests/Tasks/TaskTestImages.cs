using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tests.Tasks;

/// <summary>Synthetic inputs for the task tests (no files needed).</summary>
internal static class TaskTestImages
{
    /// <summary>Smooth gradients plus a fine checker on blue, so blur/JPEG/SR all visibly change it.</summary>
    public static RgbImage Gradient(int width, int height)
    {
        var img = new RgbImage(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                img.SetPixel(x, y,
                    (byte)(x * 255 / Math.Max(1, width - 1)),
                    (byte)(y * 255 / Math.Max(1, height - 1)),
                    (byte)(((x / 2 + y / 2) & 1) * 160 + 40));
        return img;
    }

    public static DeterministicRng Rng(ulong seed) => new(seed);
}
