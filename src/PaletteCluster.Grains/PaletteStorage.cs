namespace PaletteCluster.Grains;

/// <summary>Names the grains use to find their storage; the host binds them (files in embedded mode, PostgreSQL in a cluster).</summary>
public static class PaletteStorage
{
    /// <summary>The grain storage provider every Palette grain persists through.</summary>
    public const string Name = "palette";
}
