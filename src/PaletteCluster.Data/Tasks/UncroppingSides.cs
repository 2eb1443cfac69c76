namespace PaletteCluster.Data.Tasks;

/// <summary>The uncropping setting: which <see cref="UncroppingLayout"/>s are drawn (uniformly among them).</summary>
public enum UncroppingSides
{
    /// <summary>Half the image along one side: left/right/top/bottom, each with probability 1/4 (the default).</summary>
    One,
    /// <summary>A quarter on each of two opposite sides: left+right or top+bottom, each with probability 1/2.</summary>
    TwoOpposite,
    /// <summary>Any of the six layouts, uniformly.</summary>
    Any,
}
