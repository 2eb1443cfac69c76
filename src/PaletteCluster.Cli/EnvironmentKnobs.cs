using PaletteCluster.Training.Runtime;
using static TorchSharp.torch;

namespace PaletteCluster.Cli;

/// <summary>
/// The process-wide PALETTE_* switches, read once when the command tree is built and handed to the commands as plain
/// values: the libraries take options and never read the environment themselves.
/// </summary>
/// <param name="LibTorchFolder">PALETTE_LIBTORCH: a libtorch folder to load instead of the bundled one (--libtorch wins).</param>
/// <param name="MkldnnEnabled">PALETTE_MKLDNN=0 turns oneDNN off (docs/libtorch.md).</param>
/// <param name="SynchronousCheckpoints">PALETTE_SYNC_CHECKPOINTS=1 writes checkpoints on the training thread (for comparison).</param>
/// <param name="PrefetchDepth">PALETTE_PREFETCH=&lt;depth&gt;: batches made ahead; null leaves the device's default.</param>
public sealed record EnvironmentKnobs(string? LibTorchFolder, bool MkldnnEnabled, bool SynchronousCheckpoints, int? PrefetchDepth)
{
    public static EnvironmentKnobs Read(Func<string, string?> environment) => new(
        LibTorchFolder: environment(Training.Runtime.LibTorchFolder.EnvironmentVariable) is { Length: > 0 } folder ? folder : null,
        MkldnnEnabled: environment(TorchRuntime.MkldnnVariable) != "0",
        SynchronousCheckpoints: environment("PALETTE_SYNC_CHECKPOINTS") == "1",
        PrefetchDepth: int.TryParse(environment("PALETTE_PREFETCH"), out var depth) && depth >= 0 ? depth : null);

    /// <summary>Starts libtorch for <paramref name="device"/>; a --libtorch option overrides PALETTE_LIBTORCH.</summary>
    public Device InitializeTorch(string device, string? libTorchOption) =>
        TorchRuntime.Initialize(device, libTorchOption ?? LibTorchFolder, MkldnnEnabled);
}
