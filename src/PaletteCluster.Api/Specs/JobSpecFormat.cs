namespace PaletteCluster.Api.Specs;

public enum JobSpecFormat
{
    Yaml,
    Json,
}
