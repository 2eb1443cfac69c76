using PaletteCluster.Diffusion;
using PaletteCluster.Networks;
using TorchSharp;
using static TorchSharp.torch;
using PaletteCluster.Recipes;

namespace PaletteCluster.Training;

/// <summary>The one place that knows the concrete network and diffusion types and wires them (script_util style).</summary>
public static class PaletteFactory
{
    public static UNetConfig NetworkConfig(TrainConfig config) =>
        UNetConfig.FromPreset(config.Preset) with { ImageSize = config.ImageSize, Dropout = config.Dropout };

    /// <summary>
    /// The network with its weights drawn from a generator of its own, seeded with config.Seed on the CPU: the
    /// same start on every device and whatever else the process draws from libtorch's shared generator.
    /// </summary>
    public static PaletteUNet CreateNetwork(TrainConfig config, Device device)
    {
        var net = new PaletteUNet(NetworkConfig(config));
        using (var init = new Generator(unchecked((ulong)config.Seed), CPU))
            SeededInitialization.Apply(net, init);
        return net.to(device);
    }

    public static GaussianDiffusion CreateDiffusion(TrainConfig config) =>
        new(new NoiseSchedule(NoiseScheduleSpec.Parse(config.Schedule)));

    /// <summary>
    /// The network as the diffusion sees it: condition and noisy target concatenated on channels. With a compute
    /// dtype (bf16) the input is cast on the way in and the prediction widened to fp32 on the way out, so the
    /// diffusion math and the loss stay in fp32.
    /// </summary>
    public static NoisePredictor AsNoisePredictor(nn.Module<Tensor, Tensor, Tensor> network, ScalarType? computeType = null) =>
        computeType is { } dtype
            ? (condition, noisyTarget, gamma) => network.forward(cat([condition, noisyTarget], 1).to(dtype), gamma).to(ScalarType.Float32)
            : (condition, noisyTarget, gamma) => network.forward(cat([condition, noisyTarget], 1), gamma);
}
