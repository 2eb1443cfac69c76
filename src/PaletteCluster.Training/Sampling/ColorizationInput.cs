using PaletteCluster.Imaging;

namespace PaletteCluster.Training.Sampling;

/// <summary>Inference-time input for colorization: the centred largest square, resized, and its luma as the condition.</summary>
public static class ColorizationInput
{
    public static (RgbImage Condition, RgbImage Reference) FromImage(RgbImage image, int size)
    {
        int side = Math.Min(image.Width, image.Height);
        var square = ImageOps.Crop(image, (image.Width - side) / 2, (image.Height - side) / 2, side, side);
        var reference = ImageOps.Resize(square, size, size);
        return (ImageOps.ToLuma(reference), reference);
    }
}
