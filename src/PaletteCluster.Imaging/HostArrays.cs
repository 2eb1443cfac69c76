using static TorchSharp.torch;

namespace PaletteCluster.Imaging;

/// <summary>
/// Copies host arrays into tensors that libtorch owns. torch.tensor(array) in TorchSharp 0.107 builds the tensor
/// over a pinned managed copy of the array; in training loops that led to corrupted (NaN) batches after a
/// garbage collection, so data entering the compute plane always goes through here.
/// </summary>
public static class HostArrays
{
    public static Tensor ToTensor(float[] data, params long[] shape)
    {
        var t = empty(shape, dtype: ScalarType.Float32);
        t.data<float>().CopyFrom(data, 0, 0);
        return t;
    }
}
