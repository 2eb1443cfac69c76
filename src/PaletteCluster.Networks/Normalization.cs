using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaletteCluster.Networks;

/// <summary>
/// GroupNorm(32 groups) with PyTorch's initialisation (weight 1, bias 0). Our own module rather than
/// TorchSharp 0.107's nn.GroupNorm, whose affine parameters start uninitialised (garbage, sometimes NaN).
/// </summary>
public sealed class GroupNorm32 : nn.Module<Tensor, Tensor>
{
    private const double Eps = 1e-5;
    private readonly Parameter weight;
    private readonly Parameter bias;

    public GroupNorm32(int channels, Device? device = null) : base(nameof(GroupNorm32))
    {
        if (channels % UNetConfig.NormGroups != 0)
            throw new ArgumentException($"GroupNorm needs channels divisible by {UNetConfig.NormGroups}, got {channels}", nameof(channels));
        Channels = channels;
        weight = new Parameter(ones(channels, device: device));
        bias = new Parameter(zeros(channels, device: device));
        RegisterComponents();
    }

    public int Channels { get; }
    public Parameter Weight => weight;
    public Parameter Bias => bias;

    public override Tensor forward(Tensor input) =>
        nn.functional.group_norm(input, UNetConfig.NormGroups, weight, bias, Eps);
}

/// <summary>Factory kept so call sites read as "the UNet's norm layer".</summary>
public static class Normalization
{
    public static GroupNorm32 GroupNorm(int channels, Device? device = null) => new(channels, device);
}
