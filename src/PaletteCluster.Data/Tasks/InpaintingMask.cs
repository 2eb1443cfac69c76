namespace PaletteCluster.Data.Tasks;

/// <summary>
/// A generated inpainting mask: <see cref="Values"/> is Size*Size, 1 = generate, 0 = keep.
/// <see cref="RectangleCount"/> is 0 for free-form masks. <see cref="UsedFallback"/> is true when rejection
/// sampling ran out of attempts and the single exact-area rectangle was used instead (then the kind is Rectangles).
/// </summary>
public sealed record InpaintingMask(float[] Values, int Size, InpaintingMaskKind Kind, int RectangleCount, bool UsedFallback)
{
    public int MaskedPixels => Values.Count(v => v > 0.5f);
    public double Fraction => (double)MaskedPixels / ((long)Size * Size);
}
