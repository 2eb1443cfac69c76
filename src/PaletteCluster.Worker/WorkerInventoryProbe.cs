using PaletteCluster.Abstractions;
using static TorchSharp.torch;

namespace PaletteCluster.Worker;

/// <summary>What this machine offers, as the worker grain records it.</summary>
public static class WorkerInventoryProbe
{
    public static WorkerInventory Probe(Device device)
    {
        bool cuda = device.type == TorchSharp.DeviceType.CUDA;
        var gpus = cuda ? Enumerable.Range(0, (int)TorchSharp.torch.cuda.device_count()).Select(i => $"cuda:{i}").ToList() : [];
        return new WorkerInventory(Environment.MachineName, Environment.ProcessId, cuda ? "cuda" : "cpu", Environment.ProcessorCount, gpus, 0);
    }
}
