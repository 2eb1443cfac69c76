namespace PaletteCluster.Data.Tasks;

/// <summary>Builds the condition image of masked tasks (inpainting, uncropping).</summary>
public static class MaskedCondition
{
    /// <summary>
    /// The target (CHW, 3*S*S) with every masked pixel (mask 1*S*S, 1 = generate) replaced, in all three
    /// channels, by standard normal noise drawn from <paramref name="rng"/> and clamped to [-1,1] so the sample
    /// keeps the [-1,1] contract of <see cref="TaskSample"/>. Unmasked pixels are copied bit-exactly. Noise is
    /// drawn for the whole image (fixed number of draws), then used only under the mask.
    /// </summary>
    public static float[] NoiseFilled(float[] target, float[] mask, ref DeterministicRng rng)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(mask);
        int plane = mask.Length;
        if (target.Length != 3 * plane) throw new ArgumentException("Target must be 3x the mask length.", nameof(target));
        var condition = new float[target.Length];
        GaussianNoise.Fill(condition, 1.0, ref rng);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++)
            {
                int k = c * plane + i;
                condition[k] = mask[i] > 0.5f ? Math.Clamp(condition[k], -1f, 1f) : target[k];
            }
        return condition;
    }
}
