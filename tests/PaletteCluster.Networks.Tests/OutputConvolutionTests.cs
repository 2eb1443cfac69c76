using PaletteCluster.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Networks.Tests;

public class OutputConvolutionTests
{
    /// <summary>
    /// The output convolution's forward and both gradients against a float64 reference (oneDNN has no f64
    /// kernels, so libtorch's native ones compute it). With libtorch 2.10 on CPU the plain fp32 oneDNN
    /// convolution to 3 channels got the input gradient wrong here (max error ~0.36 of ~0.8) or NaN in runs.
    /// </summary>
    [Fact]
    public void MatchesAFloat64ReferenceInValueAndGradients()
    {
        manual_seed(3);
        var conv = nn.Conv2d(32, 3, 3, padding: 1);
        var x = randn(2, 32, 8, 8, requires_grad: true);
        var y = OutputConvolution.Apply(conv, x);
        y.square().sum().backward();

        var x64 = x.detach().to(ScalarType.Float64).requires_grad_(true);
        var w64 = conv.weight!.detach().to(ScalarType.Float64).requires_grad_(true);
        var b64 = conv.bias!.detach().to(ScalarType.Float64);
        var y64 = nn.functional.conv2d(x64, w64, b64, padding: [1, 1]);
        y64.square().sum().backward();

        Assert.Equal(new long[] { 2, 3, 8, 8 }, y.shape);
        Assert.Equal(new long[] { 3, 32, 3, 3 }, conv.weight!.shape); // parameters untouched
        AssertClose(y, y64, "output");
        AssertClose(x.grad!, x64.grad!, "input gradient");
        AssertClose(conv.weight!.grad!, w64.grad!, "weight gradient");
    }

    private static void AssertClose(Tensor actual, Tensor reference, string what)
    {
        double err = (actual.to(ScalarType.Float64) - reference).abs().max().item<double>();
        double scale = reference.abs().max().item<double>();
        Assert.True(err <= 1e-5 * Math.Max(1, scale), $"{what}: max error {err} (scale {scale})");
    }
}
