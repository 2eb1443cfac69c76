namespace PaletteCluster.Data.Tasks;

/// <summary>
/// Palette's inpainting masks: free-form brush strokes with probability <see cref="FreeFormProbability"/> (0.6),
/// else 1 to 5 rectangles (count uniform), with the masked area kept in [<see cref="MinFraction"/>,
/// <see cref="MaxFraction"/>] of the image (10 %..40 %).
/// <para>
/// How the area bound is enforced: the kind (and, for rectangles, the count) is drawn once; then the shapes are
/// redrawn (rejection sampling) until the area is in range, at most <see cref="MaxAttempts"/> times. Keeping the
/// kind and count fixed across retries keeps their frequencies exactly as specified. The shape sizes are scaled
/// so most first attempts already land in range. If every attempt fails (practically only for tiny sizes) one
/// rectangle with a random area inside the bounds is drawn, which always satisfies them (flagged
/// <see cref="InpaintingMask.UsedFallback"/>).
/// </para>
/// </summary>
public sealed class InpaintingMaskGenerator
{
    public double FreeFormProbability { get; init; } = 0.6;
    public double MinFraction { get; init; } = 0.10;
    public double MaxFraction { get; init; } = 0.40;
    public int MaxRectangles { get; init; } = 5;
    public int MaxAttempts { get; init; } = 100;

    /// <summary>Draws one mask for a size x size image (size must be at least 2 so the area bounds can be met).</summary>
    public InpaintingMask Generate(int size, ref DeterministicRng rng)
    {
        if (size < 2) throw new ArgumentOutOfRangeException(nameof(size), "Inpainting masks need size >= 2.");
        if (MinFraction <= 0 || MaxFraction > 1 || MinFraction > MaxFraction)
            throw new InvalidOperationException($"Invalid mask area bounds [{MinFraction}, {MaxFraction}].");
        long total = (long)size * size;
        long minPixels = (long)Math.Ceiling(MinFraction * total), maxPixels = (long)Math.Floor(MaxFraction * total);
        if (minPixels > maxPixels) throw new ArgumentOutOfRangeException(nameof(size), $"No mask of size {size} fits the area bounds.");

        bool freeForm = rng.NextDouble() < FreeFormProbability;
        int rects = freeForm ? 0 : 1 + rng.NextInt(MaxRectangles);
        var mask = new float[total];
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            Array.Clear(mask);
            if (freeForm) MaskShapes.DrawStrokes(mask, size, ref rng);
            else MaskShapes.DrawRectangles(mask, size, rects, ref rng);
            long count = 0;
            foreach (var v in mask) if (v > 0.5f) count++;
            if (count >= minPixels && count <= maxPixels)
                return new InpaintingMask(mask, size, freeForm ? InpaintingMaskKind.FreeForm : InpaintingMaskKind.Rectangles, rects, false);
        }

        Array.Clear(mask);
        MaskShapes.DrawExactAreaRectangle(mask, size, minPixels, maxPixels, ref rng);
        return new InpaintingMask(mask, size, InpaintingMaskKind.Rectangles, 1, true);
    }
}
