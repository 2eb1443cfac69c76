using System.Runtime.InteropServices;

namespace PaletteCluster.Training.Runtime;

/// <summary>
/// Loads libtorch from a folder named at run time (setting <c>PALETTE_LIBTORCH</c>, or <c>--libtorch</c>), e.g. a
/// PyTorch install's <c>torch/lib</c> on a GPU machine. Loading the libraries by full path before TorchSharp
/// starts makes the loader reuse them when TorchSharp later asks for them by name.
/// </summary>
public static class LibTorchFolder
{
    public const string EnvironmentVariable = "PALETTE_LIBTORCH";

    // Dependency order; the CUDA ones exist only in CUDA builds of libtorch.
    private static readonly string[] Libraries =
        ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    /// <summary>Preloads libtorch from <paramref name="folder"/>; returns the libraries loaded.</summary>
    /// <exception cref="TorchRuntimeException">The folder or its core libraries are missing or fail to load.</exception>
    public static IReadOnlyList<string> Load(string folder)
    {
        if (!Directory.Exists(folder))
            throw new TorchRuntimeException($"libtorch folder '{folder}' (from {EnvironmentVariable} or --libtorch) does not exist");
        if (!File.Exists(Path.Combine(folder, "libtorch_cpu.so")))
            throw new TorchRuntimeException(
                $"libtorch folder '{folder}' has no libtorch_cpu.so; point {EnvironmentVariable} at a libtorch 'lib' folder, e.g. the output of: python3 -c 'import torch,os;print(os.path.dirname(torch.__file__)+\"/lib\")'");
        var loaded = new List<string>();
        foreach (var name in Libraries)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path)) continue;
            try { NativeLibrary.Load(path); }
            catch (DllNotFoundException e) { throw new TorchRuntimeException($"cannot load {path}: {e.Message}"); }
            loaded.Add(path);
        }
        return loaded;
    }
}
