namespace PaletteCluster.Data.Tasks;

/// <summary>The two inpainting mask families of the Palette paper.</summary>
public enum InpaintingMaskKind
{
    /// <summary>Free-form brush strokes (DeepFill v2 style polylines of thick round brushes).</summary>
    FreeForm,

    /// <summary>The union of 1 to 5 axis-aligned rectangles.</summary>
    Rectangles,
}
