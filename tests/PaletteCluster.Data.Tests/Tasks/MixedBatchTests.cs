using PaletteCluster.Data.Tasks;
using PaletteCluster.Imaging;
using static TorchSharp.torch;

namespace PaletteCluster.Data.Tests.Tasks;

public class MixedBatchTests
{
    [Fact]
    public void MixedBatchesCarryEachSamplesTaskIdAndMask()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 6; i++) ImageCodec.SavePng(Samples.Synthetic(80, 60, i), dir.File($"img{i}.png"));
        var mix = new TaskMix(new WeightedTask(new ColorizationTask(), 1), new WeightedTask(new InpaintingTask(), 1));
        var loader = new PairBatchLoader(ImageFolder.Scan(dir.Path), mix, batchSize: 4, imageSize: 32, seed: 5);

        var seen = new HashSet<int>();
        for (int b = 0; b < 5; b++)
        {
            using var batch = loader.Next();
            Assert.NotNull(batch.Mask);
            Assert.Equal(new long[] { 4, 1, 32, 32 }, batch.Mask!.shape);
            for (int i = 0; i < 4; i++)
            {
                int id = batch.TaskIds[i];
                seen.Add(id);
                double fraction = batch.Mask[i].mean().item<float>();
                if (id == 0) Assert.Equal(1.0, fraction, 6);                 // colorization: generate everything
                else Assert.InRange(fraction, 0.10 - 1e-6, 0.40 + 1e-6);     // inpainting: 10-40 % masked
            }
        }
        Assert.Equal(new[] { 0, 1 }, seen.Order());
    }
}
