namespace PaletteCluster.Recipes;

public enum PrecisionMode
{
    /// <summary>fp32 everywhere (TF32 matmuls on CUDA).</summary>
    Fp32,
    /// <summary>bf16 forward/backward on a per-step bf16 copy of the weights; fp32 master weights, optimizer and EMA.</summary>
    Bf16,
}
