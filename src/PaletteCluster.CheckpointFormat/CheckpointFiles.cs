namespace PaletteCluster.CheckpointFormat;

/// <summary>Well-known file names of a checkpoint folder.</summary>
public static class CheckpointFiles
{
    public const string Manifest = "manifest.json";
    public const string Model = "model.safetensors";
    public const string Ema = "ema.safetensors";
    public const string Optimizer = "optimizer.safetensors";

    /// <summary>Files a resumable training checkpoint must contain (besides the manifest).</summary>
    public static IReadOnlyList<string> Required { get; } = [Model, Ema, Optimizer];

    /// <summary>
    /// True for a plain file name that may be listed in a manifest: no directory parts, not hidden, not the
    /// manifest itself.
    /// </summary>
    public static bool IsValidFileName(string? name) =>
        !string.IsNullOrWhiteSpace(name)
        && name == Path.GetFileName(name)
        && name.IndexOfAny(['/', '\\', '\0']) < 0
        && !name.StartsWith('.')
        && name != Manifest;
}
