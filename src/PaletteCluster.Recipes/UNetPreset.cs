namespace PaletteCluster.Recipes;

/// <summary>The network sizes a recipe can name (see PaletteCluster.Networks.UNetConfig for their shapes).</summary>
public enum UNetPreset
{
    /// <summary>A few million parameters: CPU demos and tests.</summary>
    Tiny,
    /// <summary>The open Palette configuration (about 68M parameters).</summary>
    Small,
    /// <summary>Guided-diffusion's ADM-sized network.</summary>
    Adm,
}
