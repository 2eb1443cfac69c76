namespace PaletteCluster.Data.Tasks;

/// <summary>Rasterises mask shapes into a size*size float mask (1 = masked). Sizes are relative to the image.</summary>
public static class MaskShapes
{
    /// <summary>
    /// 1 to 3 strokes; each is a random-walk polyline of 4 to 10 segments (length 5..20 % of the side, heading
    /// turning by up to +-90 degrees per segment) drawn with a round brush of diameter 4..12 % of the side.
    /// </summary>
    public static void DrawStrokes(float[] mask, int size, ref DeterministicRng rng)
    {
        int strokes = 1 + rng.NextInt(3);
        for (int s = 0; s < strokes; s++)
        {
            int segments = 4 + rng.NextInt(7);
            double radius = Math.Max(0.5, size * (0.04 + 0.08 * rng.NextDouble()) / 2);
            double x = rng.NextDouble() * size, y = rng.NextDouble() * size;
            double heading = 2 * Math.PI * rng.NextDouble();
            for (int k = 0; k < segments; k++)
            {
                heading += (rng.NextDouble() - 0.5) * Math.PI;
                double length = size * (0.05 + 0.15 * rng.NextDouble());
                // Clamp the end point so strokes stay on the image instead of wasting area off-canvas.
                double nx = Math.Clamp(x + length * Math.Cos(heading), 0, size - 1);
                double ny = Math.Clamp(y + length * Math.Sin(heading), 0, size - 1);
                DrawThickSegment(mask, size, x, y, nx, ny, radius);
                x = nx; y = ny;
            }
        }
    }

    /// <summary>
    /// <paramref name="count"/> rectangles, each side (0.5..1.5) * size * sqrt(0.25/count) so the union is about a
    /// quarter of the image whatever the count; positions uniform (fully inside).
    /// </summary>
    public static void DrawRectangles(float[] mask, int size, int count, ref DeterministicRng rng)
    {
        double side = size * Math.Sqrt(0.25 / count);
        for (int r = 0; r < count; r++)
        {
            int w = Math.Clamp((int)Math.Round(side * (0.5 + rng.NextDouble())), 1, size);
            int h = Math.Clamp((int)Math.Round(side * (0.5 + rng.NextDouble())), 1, size);
            int x0 = rng.NextInt(size - w + 1), y0 = rng.NextInt(size - h + 1);
            FillRect(mask, size, x0, y0, w, h);
        }
    }

    /// <summary>One rectangle whose pixel count lies in [minPixels, maxPixels]: width uniform over the widths
    /// that admit a valid height, then height uniform over the valid heights, position uniform.</summary>
    public static void DrawExactAreaRectangle(float[] mask, int size, long minPixels, long maxPixels, ref DeterministicRng rng)
    {
        var widths = new List<int>();
        for (int w = 1; w <= size; w++)
            if (HeightRange(w, size, minPixels, maxPixels) is var (lo, hi) && lo <= hi) widths.Add(w);
        if (widths.Count == 0) throw new ArgumentOutOfRangeException(nameof(size), "No rectangle fits the area bounds.");
        int width = widths[rng.NextInt(widths.Count)];
        var (hMin, hMax) = HeightRange(width, size, minPixels, maxPixels);
        int height = hMin + rng.NextInt(hMax - hMin + 1);
        FillRect(mask, size, rng.NextInt(size - width + 1), rng.NextInt(size - height + 1), width, height);
    }

    private static (int Lo, int Hi) HeightRange(int w, int size, long minPixels, long maxPixels) =>
        ((int)Math.Max(1, (minPixels + w - 1) / w), (int)Math.Min(size, maxPixels / w));

    private static void FillRect(float[] mask, int size, int x0, int y0, int w, int h)
    {
        for (int y = y0; y < y0 + h; y++)
            Array.Fill(mask, 1f, y * size + x0, w);
    }

    /// <summary>Marks pixel centres within <paramref name="radius"/> of the segment (a round-capped brush).</summary>
    private static void DrawThickSegment(float[] mask, int size, double x0, double y0, double x1, double y1, double radius)
    {
        int minX = Math.Max(0, (int)Math.Floor(Math.Min(x0, x1) - radius));
        int maxX = Math.Min(size - 1, (int)Math.Ceiling(Math.Max(x0, x1) + radius));
        int minY = Math.Max(0, (int)Math.Floor(Math.Min(y0, y1) - radius));
        int maxY = Math.Min(size - 1, (int)Math.Ceiling(Math.Max(y0, y1) + radius));
        double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy, r2 = radius * radius;
        for (int y = minY; y <= maxY; y++)
            for (int x = minX; x <= maxX; x++)
            {
                double px = x + 0.5 - x0, py = y + 0.5 - y0;
                double t = len2 > 0 ? Math.Clamp((px * dx + py * dy) / len2, 0, 1) : 0;
                double ex = px - t * dx, ey = py - t * dy;
                if (ex * ex + ey * ey <= r2) mask[y * size + x] = 1f;
            }
    }
}
