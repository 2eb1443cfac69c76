using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Imaging;

/// <summary>Lays out (3,H,W) tensors in [-1,1] as a PNG grid: one row per sample, columns e.g. condition/output/target.</summary>
public static class ImageGrid
{
    /// <summary>Background between cells (mid gray).</summary>
    public const byte PaddingValue = 128;

    /// <summary>
    /// Composes the grid. Column c is as wide as its widest cell, row r as tall as its tallest; cells are placed
    /// top-left, with <paramref name="padding"/> pixels around every cell. Rows may have different lengths.
    /// </summary>
    public static RgbImage Compose(IReadOnlyList<IReadOnlyList<Tensor>> rows, int padding = 2)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding));
        if (rows.Count == 0 || rows.All(r => r.Count == 0))
            throw new ArgumentException("The grid has no images.", nameof(rows));

        var cells = rows.Select(r => r.Select(ImageTensors.ToImage).ToArray()).ToArray();
        int cols = cells.Max(r => r.Length);
        var colW = new int[cols];
        var rowH = new int[cells.Length];
        for (int r = 0; r < cells.Length; r++)
            for (int c = 0; c < cells[r].Length; c++)
            {
                colW[c] = Math.Max(colW[c], cells[r][c].Width);
                rowH[r] = Math.Max(rowH[r], cells[r][c].Height);
            }

        int width = padding + colW.Sum(w => w + padding);
        int height = padding + rowH.Sum(h => h + padding);
        var pixels = new byte[checked(width * height * 3)];
        Array.Fill(pixels, PaddingValue);
        var grid = new RgbImage(width, height, pixels);

        int y0 = padding;
        for (int r = 0; r < cells.Length; r++)
        {
            int x0 = padding;
            for (int c = 0; c < cols; c++)
            {
                if (c < cells[r].Length) Blit(cells[r][c], grid, x0, y0);
                x0 += colW[c] + padding;
            }
            y0 += rowH[r] + padding;
        }
        return grid;
    }

    /// <summary>Composes the grid and writes it as PNG to <paramref name="path"/>.</summary>
    public static void Save(IReadOnlyList<IReadOnlyList<Tensor>> rows, string path, int padding = 2) =>
        ImageCodec.SavePng(Compose(rows, padding), path);

    private static void Blit(RgbImage src, RgbImage dst, int x0, int y0)
    {
        for (int y = 0; y < src.Height; y++)
            Buffer.BlockCopy(src.Pixels, y * src.Width * 3, dst.Pixels, ((y0 + y) * dst.Width + x0) * 3, src.Width * 3);
    }
}
