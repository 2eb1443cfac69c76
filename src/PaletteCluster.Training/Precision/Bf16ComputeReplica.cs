using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Precision;

/// <summary>
/// Mixed precision without autocast (TorchSharp has none): a bf16 twin of the fp32 master model. Before each
/// forward the master weights are cast into it once (autocast would re-cast per op); after backward its bf16
/// gradients are widened into the master parameters' .grad, where the fp32 optimizer reads them.
/// </summary>
public sealed class Bf16ComputeReplica : IDisposable
{
    private readonly List<(Parameter Master, Parameter Compute)> _pairs;

    public Bf16ComputeReplica(nn.Module master, nn.Module replica)
    {
        Replica = replica;
        replica.to(ScalarType.BFloat16);
        var computeByName = replica.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        _pairs = master.named_parameters().Select(p => (p.parameter, computeByName[p.name])).ToList();
    }

    public nn.Module Replica { get; }

    /// <summary>Casts the master weights into the replica (one bf16 copy per step).</summary>
    public void PullWeights()
    {
        using var _ = no_grad();
        foreach (var (master, compute) in _pairs) compute.copy_(master);
    }

    /// <summary>Moves the replica's gradients into the master parameters as fp32 and clears the replica's.</summary>
    public void PushGradients()
    {
        using var _ = no_grad();
        foreach (var (master, compute) in _pairs)
        {
            var g = compute.grad;
            if (g is null) { master.grad = null; continue; }
            master.grad = g.to(ScalarType.Float32);
            compute.grad = null;
        }
    }

    public void Dispose() => Replica.Dispose();
}
