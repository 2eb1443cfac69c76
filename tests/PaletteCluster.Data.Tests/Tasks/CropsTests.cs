using PaletteCluster.Data.Tasks;
using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tests.Tasks;

public class CropsTests
{
    [Fact]
    public void Default_IsLargestSquare_WithTheColorizationDraws()
    {
        var img = TaskTestImages.Gradient(300, 200);
        for (ulong seed = 0; seed < 8; seed++)
        {
            var r1 = TaskTestImages.Rng(seed);
            var r2 = TaskTestImages.Rng(seed);
            Assert.Equal(Augment.RandomSquareCropFlip(img, 64, ref r1).Pixels, new Crops().Apply(img, 64, ref r2).Pixels);
            Assert.Equal(r1.State, r2.State);
        }
        Assert.Equal(CropKind.LargestSquare, new InpaintingTask().Crops.Kind);
    }

    [Fact]
    public void RandomCrop_IsANativeResolutionWindow_WhenLargeEnough()
    {
        var img = TaskTestImages.Gradient(300, 200);
        var crops = new Crops(CropKind.Random, HorizontalFlip: false);
        var xs = new HashSet<int>();
        for (ulong seed = 0; seed < 20; seed++)
        {
            var rng = TaskTestImages.Rng(seed);
            var replay = rng;
            var crop = crops.Apply(img, 64, ref rng);
            int x = replay.NextInt(300 - 64 + 1), y = replay.NextInt(200 - 64 + 1);
            xs.Add(x);
            Assert.Equal(ImageOps.Crop(img, x, y, 64, 64).Pixels, crop.Pixels);
        }
        Assert.True(xs.Count > 10);
    }

    [Fact]
    public void RandomCrop_FallsBackToResizedLargestSquare_ForSmallImages()
    {
        var img = TaskTestImages.Gradient(50, 40);
        var crops = new Crops(CropKind.Random, HorizontalFlip: false);
        var rng = TaskTestImages.Rng(3);
        var replay = rng;
        var crop = crops.Apply(img, 64, ref rng);
        int x = replay.NextInt(50 - 40 + 1), y = replay.NextInt(1);
        Assert.Equal(ImageOps.Resize(ImageOps.Crop(img, x, y, 40, 40), 64, 64).Pixels, crop.Pixels);
    }

    [Fact]
    public void Flips_HappenAboutHalfTheTime_AndNotWhenDisabled()
    {
        var img = TaskTestImages.Gradient(64, 64);
        int flipped = 0;
        for (ulong seed = 0; seed < 200; seed++)
        {
            var rng = TaskTestImages.Rng(seed);
            var r2 = TaskTestImages.Rng(seed);
            var a = Crops.RandomCrop.Apply(img, 64, ref rng);
            if (!a.Pixels.SequenceEqual(img.Pixels))
            {
                Assert.Equal(ImageOps.FlipHorizontal(img).Pixels, a.Pixels);
                flipped++;
            }
            Assert.Equal(img.Pixels, new Crops(CropKind.Random, false).Apply(img, 64, ref r2).Pixels);
        }
        Assert.InRange(flipped, 70, 130);
    }
}
