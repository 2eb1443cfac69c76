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
    public void CudaIsGivenWhereItExistsAndOtherwiseSaysHowToGetIt()
    {
        // This process runs whichever libtorch PALETTE_LIBTORCH names (the bundled CPU one unless set): both outcomes
        // are asserted, so the test checks something on either kind of machine. The CLI tests pin the CPU case.
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.Equal(TorchSharp.DeviceType.CUDA, TorchRuntime.Initialize("cuda").type);
        }
        else
        {
            var e = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.Initialize("cuda"));
            Assert.Contains("PALETTE_LIBTORCH", e.Message);
        }
    }

    [Theory]
    [InlineData("cudax")]
    [InlineData("cuda:")]
    [InlineData("cuda:a")]
    public void CudaLookalikesAreUnknownDevices(string device)
    {
        var e = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.Initialize(device));
        Assert.Contains($"unknown device '{device}'", e.Message);
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
