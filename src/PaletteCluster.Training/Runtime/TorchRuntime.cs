using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Runtime;

/// <summary>
/// One place that prepares libtorch for a process: optional external libtorch folder, device choice, and the
/// numerics switches (TF32 on CUDA). Call once at start-up, before any tensor is made.
/// </summary>
public static class TorchRuntime
{
    /// <param name="device">"cpu", "cuda", "cuda:N" or "auto" (CUDA when available).</param>
    /// <param name="libTorchFolder">Folder to load libtorch from; null: the bundled one (the CLI passes PALETTE_LIBTORCH).</param>
    /// <param name="mkldnn">oneDNN on CPU (see <see cref="ConfigureCpuKernels"/>).</param>
    public static Device Initialize(string device = "auto", string? libTorchFolder = null, bool mkldnn = true)
    {
        if (!string.IsNullOrWhiteSpace(libTorchFolder)) LibTorchFolder.Load(libTorchFolder);

        device = device.Trim().ToLowerInvariant();
        // Exactly cuda or cuda:N: anything else ("cudax", "cuda:") is a typo, not a CUDA request.
        var cudaRequest = System.Text.RegularExpressions.Regex.Match(device, "^cuda(?::([0-9]+))?$");
        bool wantsCuda = cudaRequest.Success;
        if (device is not ("auto" or "cpu") && !wantsCuda)
            throw new TorchRuntimeException($"unknown device '{device}': use cpu, cuda, cuda:N or auto");
        if (wantsCuda || device == "auto")
        {
            bool cuda = torch.TryInitializeDeviceType(DeviceType.CUDA) && torch.cuda.is_available();
            if (!cuda && wantsCuda)
                throw new TorchRuntimeException(
                    "CUDA was requested but is not available: this build carries the CPU libtorch. Set PALETTE_LIBTORCH to a CUDA libtorch folder (docs/libtorch.md) or use --device cpu");
            if (cuda)
            {
                int count = torch.cuda.device_count();
                if (cudaRequest.Groups[1].Success && (!int.TryParse(cudaRequest.Groups[1].Value, out int index) || index >= count))
                    throw new TorchRuntimeException($"{device} was requested but this machine has {count} CUDA device(s): use cuda:0 to cuda:{count - 1}");
                torch.backends.cuda.matmul.allow_tf32 = true;
                torch.backends.cudnn.allow_tf32 = true;
                return device == "auto" ? torch.device("cuda") : torch.device(device);
            }
        }
        ConfigureCpuKernels(mkldnn);
        return torch.CPU;
    }

    public const string MkldnnVariable = "PALETTE_MKLDNN";

    /// <summary>
    /// CPU kernel choices: oneDNN (mkldnn) stays on unless turned off (PALETTE_MKLDNN=0 in the CLI: an escape hatch
    /// should another of its kernels misbehave; see OutputConvolution for the one that did); NNPACK is off, as on CPUs
    /// it does not support it only prints a warning on every convolution.
    /// </summary>
    public static void ConfigureCpuKernels(bool mkldnn = true)
    {
        LibTorchSwitches.SetMkldnnEnabled(mkldnn);
        LibTorchSwitches.SetNnpackEnabled(false);
    }

    /// <summary>Paths of the libtorch libraries this process has mapped (from /proc/self/maps), for diagnostics.</summary>
    public static IReadOnlyList<string> LoadedLibTorchFiles()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return [];
        return File.ReadLines(maps)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .Where(p => p.StartsWith('/') && (Path.GetFileName(p).StartsWith("libtorch") || Path.GetFileName(p).StartsWith("libc10")))
            .Distinct().ToList();
    }
}
