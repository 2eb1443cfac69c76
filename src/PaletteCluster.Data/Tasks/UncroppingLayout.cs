namespace PaletteCluster.Data.Tasks;

/// <summary>Which parts an uncropping mask covers; every layout masks 50 % of the image (exactly when size % 4 == 0).</summary>
public enum UncroppingLayout
{
    Left,
    Right,
    Top,
    Bottom,
    /// <summary>The outer quarter of the width at both the left and the right.</summary>
    LeftAndRight,
    /// <summary>The outer quarter of the height at both the top and the bottom.</summary>
    TopAndBottom,
}
