using PaletteCluster.Training.Runtime;

namespace PaletteCluster.Training.Tests;

public class RuntimeTests
{
    [Fact]
    public void UnknownDeviceIsRejectedWithTheChoices()
    {
        var e = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.Initialize("tpu"));
        Assert.Contains("cpu, cuda", e.Message);
    }

    [Fact]
    public void CudaOnACpuBuildSaysHowToGetIt()
    {
        if (TorchSharp.torch.cuda.is_available()) return; // on a GPU machine this request is valid
        var e = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.Initialize("cuda"));
        Assert.Contains("PALETTE_LIBTORCH", e.Message);
    }

    [Fact]
    public void MissingLibTorchFolderIsNamed()
    {
        var e = Assert.Throws<TorchRuntimeException>(() => LibTorchFolder.Load("/nonexistent/torch/lib"));
        Assert.Contains("/nonexistent/torch/lib", e.Message);
    }

    [Fact]
    public void FolderWithoutLibTorchIsRejected()
    {
        var e = Assert.Throws<TorchRuntimeException>(() => LibTorchFolder.Load(Path.GetTempPath()));
        Assert.Contains("libtorch_cpu.so", e.Message);
    }
}
