using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Tests;

public class TorchSmokeTests
{
    [Fact]
    public void LibTorchLoadsAndComputes()
    {
        using var a = ones(2, 3);
        Assert.Equal(6f, a.sum().item<float>());
    }
}
