using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaletteCluster.Networks;

/// <summary>
/// The final 3x3 convolution to the few output channels. On CPU, libtorch 2.10's fp32 oneDNN convolution with
/// an output-channel count that is not a multiple of its 16-channel block computes wrong input gradients
/// (errors of ~40 % against a float64 reference, or NaN: training runs diverged mid-way), apparently reading
/// uninitialised block padding. There we run it with zero filters padded up to 16 channels and keep the real
/// outputs: same parameters and results, correct gradients, and oneDNN stays on (1.4-6x faster than
/// libtorch's fallback kernels here). OutputConvolutionTests fails without this.
/// </summary>
public static class OutputConvolution
{
    private const int Block = 16;

    public static Tensor Apply(Conv2d conv, Tensor input)
    {
        var weight = conv.weight!;
        long outChannels = weight.shape[0];
        if (input.device_type != TorchSharp.DeviceType.CPU || outChannels % Block == 0)
            return conv.forward(input);

        long padded = (outChannels + Block - 1) / Block * Block;
        var extraWeight = zeros([padded - outChannels, .. weight.shape[1..]], dtype: weight.dtype, device: weight.device);
        var w = cat([weight, extraWeight], 0);
        var b = conv.bias is { } bias ? cat([bias, zeros(padded - outChannels, dtype: bias.dtype, device: bias.device)], 0) : null;
        return nn.functional.conv2d(input, w, b, padding: [1, 1]).narrow(1, 0, outChannels);
    }
}
