using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaletteCluster.Networks;

/// <summary>
/// Draws every parameter of a network anew from a caller's generator, with the distributions TorchSharp's
/// constructors use: Conv2d and Linear weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform_
/// with a = sqrt(5) comes to that bound), GroupNorm weight 1 and bias 0. The constructors draw from libtorch's
/// process-wide generator, which two models built at once in one process share; this makes a model's start
/// depend on its own seed only.
/// </summary>
public static class SeededInitialization
{
    /// <exception cref="NotSupportedException">A module holds parameters of a kind this class does not know,
    /// which would otherwise keep their draw from the shared generator.</exception>
    public static void Apply(nn.Module network, Generator generator)
    {
        using var noGrad = no_grad();
        // named_modules leaves out the module it is called on, which may own parameters too (a bare Conv2d).
        foreach (var (name, module) in network.named_modules().Prepend(("(root)", network)))
        {
            switch (module)
            {
                case Conv2d conv:
                    FanInUniform(conv.weight!, conv.bias, generator);
                    break;
                case Linear linear:
                    FanInUniform(linear.weight!, linear.bias, generator);
                    break;
                case GroupNorm32 norm:
                    norm.Weight.fill_(1.0);
                    norm.Bias.fill_(0.0);
                    break;
                default:
                    if (module.named_parameters(recurse: false).FirstOrDefault() is { name: { } parameter })
                        throw new NotSupportedException(
                            $"module '{name}' ({module.GetType().Name}) owns parameter '{parameter}' that {nameof(SeededInitialization)} cannot initialise");
                    break;
            }
        }
    }

    private static void FanInUniform(Tensor weight, Tensor? bias, Generator generator)
    {
        var (fanIn, _) = nn.init.CalculateFanInAndFanOut(weight);
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0;
        weight.uniform_(-bound, bound, generator);
        bias?.uniform_(-bound, bound, generator);
    }
}
