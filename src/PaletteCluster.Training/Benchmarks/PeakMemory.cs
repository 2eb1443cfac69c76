using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Benchmarks;

/// <summary>
/// Peak memory for benchmarks. CPU: the process's peak resident set (VmHWM). CUDA: TorchSharp exposes no
/// allocator statistics, so we sample device-wide usage (total - free from cudaMemGetInfo), which includes
/// the caching allocator's reserve; compare it with PyTorch's max_memory_reserved, not max_memory_allocated.
/// </summary>
public sealed class PeakMemory(Device device)
{
    private long _peakBytes;

    public string Kind => device.type == TorchSharp.DeviceType.CUDA ? "cuda-device-used" : "cpu-peak-rss";

    public void Sample()
    {
        long now = device.type == TorchSharp.DeviceType.CUDA ? CudaUsedBytes() : CpuPeakRssBytes();
        if (now > _peakBytes) _peakBytes = now;
    }

    public double PeakGiB => _peakBytes / (double)(1L << 30);

    private static long CpuPeakRssBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:"))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    private static long CudaUsedBytes()
    {
        foreach (var name in new[] { "libcudart.so.12", "libcudart.so.13", "libcudart.so" })
        {
            if (!NativeLibrary.TryLoad(name, out var lib)) continue;
            if (!NativeLibrary.TryGetExport(lib, "cudaMemGetInfo", out var fn)) continue;
            unsafe
            {
                nuint free, total;
                var memGetInfo = (delegate* unmanaged<nuint*, nuint*, int>)fn;
                if (memGetInfo(&free, &total) == 0) return (long)(total - free);
            }
        }
        return 0;
    }
}
