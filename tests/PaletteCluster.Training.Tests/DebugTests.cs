using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace PaletteCluster.Training.Tests;

public class DebugTests(ITestOutputHelper output)
{
    [Fact]
    public void ManualSeedGc()
    {
        manual_seed(0);
        var a = randn(5).data<float>().ToArray();
        manual_seed(0);
        GC.Collect(); GC.WaitForPendingFinalizers();
        var junk = Enumerable.Range(0, 200).Select(_ => randn(1000)).ToList();
        manual_seed(0);
        var b = randn(5).data<float>().ToArray();
        var d = nn.functional.dropout(ones(10), 0.0, true).data<float>().ToArray();
        output.WriteLine($"a {string.Join(",", a)}\nb {string.Join(",", b)}\ndrop {string.Join(",", d)}");
    }
}
