namespace PaletteCluster.Data.Tasks;

/// <summary>The Palette tasks by the names used in settings and on the command line, with default settings.</summary>
public static class TaskCatalog
{
    public static IReadOnlyList<string> Names { get; } =
        ["colorization", "inpainting", "uncropping", "jpeg", "sr4x", "denoising", "deblurring"];

    public static IImageTask Create(string name) => name.Trim().ToLowerInvariant() switch
    {
        "colorization" => new ColorizationTask(),
        "inpainting" => new InpaintingTask(),
        "uncropping" => new UncroppingTask(),
        "jpeg" => new JpegRestorationTask(),
        "sr4x" => new SuperResolutionTask(),
        "denoising" => new DenoisingTask(),
        "deblurring" => new DeblurringTask(),
        _ => throw new ArgumentException($"task: unknown task '{name}'; known: {string.Join(", ", Names)}"),
    };
}
