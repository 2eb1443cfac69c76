using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Networks;

/// <summary>
/// Dropout whose mask comes from a generator the owner assigns (TorchSharp's dropout draws from libtorch's
/// process-wide one, shared by every model in the process). Same output as nn.Dropout: in training each element
/// is kept with probability 1 - p and scaled by 1 / (1 - p); in eval mode, or with p = 0, the input passes through.
/// Without an assigned generator the mask comes from libtorch's default generator, as nn.Dropout's does.
/// </summary>
public sealed class GeneratorDropout : nn.Module<Tensor, Tensor>
{
    public GeneratorDropout(double probability) : base(nameof(GeneratorDropout))
    {
        if (probability is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(probability), $"dropout must be in [0, 1), got {probability}");
        Probability = probability;
        _keep = (1.0 - probability).ToScalar();
    }

    // The 1 / (1 - p) scaling's Scalar, owned here: a temporary one could be freed by a collection during the native
    // call (docs/libtorch.md, last section; HostileGcTests caught it here).
    private readonly Scalar _keep;

    public double Probability { get; }

    /// <summary>The generator masks are drawn from; it must live on the device of the inputs.</summary>
    public Generator? Generator { get; set; }

    public override Tensor forward(Tensor input)
    {
        if (!training || Probability == 0) return input;
        using var mask = empty_like(input).bernoulli_(1.0 - Probability, Generator);
        return input * mask.div_(_keep);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _keep.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Points every dropout module of <paramref name="network"/> at <paramref name="generator"/>.</summary>
    public static void AssignGenerator(nn.Module network, Generator generator)
    {
        foreach (var dropout in network.modules().Prepend(network).OfType<GeneratorDropout>())
            dropout.Generator = generator;
    }
}
