namespace PaletteCluster.Grains.Directory;

/// <summary>The cluster directory's persisted state.</summary>
[GenerateSerializer, Alias("palette.DirectoryRecord")]
public sealed class DirectoryRecord
{
    /// <summary>Every job ever added, in submission order.</summary>
    [Id(0)] public List<string> Jobs { get; set; } = [];

    /// <summary>Jobs not yet seen final, in submission order: the only ones RequestWork looks at.</summary>
    [Id(1)] public List<string> OpenJobs { get; set; } = [];

    [Id(2)] public List<string> Workers { get; set; } = [];
}
