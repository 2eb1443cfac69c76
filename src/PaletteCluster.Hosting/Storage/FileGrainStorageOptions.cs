using Orleans.Storage;

namespace PaletteCluster.Hosting.Storage;

public sealed class FileGrainStorageOptions
{
    /// <summary>Folder holding one sub-folder per state name, one JSON file per grain. Created if missing.</summary>
    public string RootDirectory { get; set; } = "";

    /// <summary>How state becomes JSON; null: <see cref="JsonGrainStateSerializer"/>. It must write JSON (the file embeds it).</summary>
    public IGrainStorageSerializer? Serializer { get; set; }
}
