using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tasks;

/// <summary>
/// A separable Gaussian blur in float, edges clamped (replicated), kernel radius ceil(3 sigma) normalised to sum 1.
/// Written by hand rather than with Skia's blur filter so the result is fixed by this code.
/// </summary>
public static class GaussianBlur
{
    /// <summary>Blurs each channel of a CHW (3*H*W) float array; returns a new array.</summary>
    public static float[] BlurChw(float[] chw, int width, int height, double sigma)
    {
        ArgumentNullException.ThrowIfNull(chw);
        if (chw.Length != 3 * width * height) throw new ArgumentException("Expected 3*width*height values.", nameof(chw));
        if (!(sigma >= 0)) throw new ArgumentOutOfRangeException(nameof(sigma));
        if (sigma == 0) return (float[])chw.Clone();
        var kernel = Kernel(sigma);
        int r = kernel.Length / 2, plane = width * height;
        var tmp = new float[plane];
        var result = new float[chw.Length];
        for (int c = 0; c < 3; c++)
        {
            int o = c * plane;
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double s = 0;
                    for (int k = -r; k <= r; k++) s += kernel[k + r] * chw[o + y * width + Math.Clamp(x + k, 0, width - 1)];
                    tmp[y * width + x] = (float)s;
                }
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double s = 0;
                    for (int k = -r; k <= r; k++) s += kernel[k + r] * tmp[Math.Clamp(y + k, 0, height - 1) * width + x];
                    result[o + y * width + x] = (float)s;
                }
        }
        return result;
    }

    /// <summary>The normalised 1-D kernel of length 2*ceil(3 sigma)+1.</summary>
    public static double[] Kernel(double sigma)
    {
        int r = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var k = new double[2 * r + 1];
        for (int i = -r; i <= r; i++) k[i + r] = Math.Exp(-i * i / (2 * sigma * sigma));
        double sum = k.Sum();
        for (int i = 0; i < k.Length; i++) k[i] /= sum;
        return k;
    }
}
