using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Imaging;

/// <summary>Conversions between <see cref="RgbImage"/> and float32 CHW data in [-1,1] (v/127.5 - 1).</summary>
public static class ImageTensors
{
    /// <summary>Planar CHW floats (3*H*W) in [-1,1]; the layout tensors and task samples use.</summary>
    public static float[] ToChw(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int plane = image.Width * image.Height;
        var chw = new float[3 * plane];
        ToChw(image, chw, 0);
        return chw;
    }

    /// <summary>Writes the 3*H*W planar floats of <paramref name="image"/> into <paramref name="destination"/> at <paramref name="offset"/>.</summary>
    public static void ToChw(RgbImage image, float[] destination, int offset)
    {
        int plane = image.Width * image.Height;
        if (offset < 0 || destination.Length - offset < 3 * plane)
            throw new ArgumentException("Destination too small for the image.", nameof(destination));
        var px = image.Pixels;
        for (int i = 0; i < plane; i++)
        {
            destination[offset + i] = px[3 * i] / 127.5f - 1f;
            destination[offset + plane + i] = px[3 * i + 1] / 127.5f - 1f;
            destination[offset + 2 * plane + i] = px[3 * i + 2] / 127.5f - 1f;
        }
    }

    /// <summary>(3,H,W) float32 CPU tensor in [-1,1].</summary>
    public static Tensor ToTensor(RgbImage image) =>
        torch.tensor(ToChw(image), new long[] { 3, image.Height, image.Width }, dtype: ScalarType.Float32);

    /// <summary>
    /// (3,H,W) or (1,H,W) tensor in [-1,1] (any device/float dtype; a leading batch dim of 1 is allowed) to an image:
    /// clamped to [-1,1], mapped to [0,255] and rounded half-to-even. One channel is replicated to RGB.
    /// </summary>
    public static RgbImage ToImage(Tensor chw)
    {
        ArgumentNullException.ThrowIfNull(chw);
        using var scope = torch.NewDisposeScope();
        var t = chw;
        if (t.dim() == 4 && t.shape[0] == 1) t = t.squeeze(0);
        if (t.dim() != 3 || (t.shape[0] != 3 && t.shape[0] != 1))
            throw new ArgumentException($"Expected a (3,H,W) or (1,H,W) tensor, got ({string.Join(",", chw.shape)}).", nameof(chw));
        if (t.shape[0] == 1) t = t.expand(3, t.shape[1], t.shape[2]);
        int h = (int)t.shape[1], w = (int)t.shape[2];
        // Scalars held across their calls, the same float values as clamp(-1f, 1f).add(1f).mul(127.5f) would convert
        // (add's implicit alpha is the integer 1): TorchSharp does not keep temporaries alive (docs/libtorch.md).
        using Scalar low = (-1f).ToScalar(), high = 1f.ToScalar(), one = 1f.ToScalar(), alpha = 1.ToScalar(), scale = 127.5f.ToScalar();
        var values = t.detach().to(ScalarType.Float32).cpu().clamp(low, high).add(one, alpha).mul(scale).round().contiguous()
            .data<float>().ToArray();
        int plane = h * w;
        var rgb = new byte[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            rgb[3 * i] = (byte)values[i];
            rgb[3 * i + 1] = (byte)values[plane + i];
            rgb[3 * i + 2] = (byte)values[2 * plane + i];
        }
        return new RgbImage(w, h, rgb);
    }
}
