namespace PaletteCluster.Recipes;

/// <summary>The p of the training loss ||f - eps||_p^p.</summary>
public enum LossKind
{
    /// <summary>Mean absolute error (p = 1).</summary>
    L1,
    /// <summary>Mean squared error (p = 2).</summary>
    L2,
}
