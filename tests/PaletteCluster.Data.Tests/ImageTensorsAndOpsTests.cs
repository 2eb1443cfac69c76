using PaletteCluster.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Data.Tests;

public class ImageTensorsAndOpsTests
{
    [Fact]
    public void Tensor_round_trip_is_exact_and_maps_to_minus_one_one()
    {
        var img = Samples.Synthetic(11, 7, 4);
        img.SetPixel(0, 0, 0, 128, 255);
        using var t = ImageTensors.ToTensor(img);
        Assert.Equal(new long[] { 3, 7, 11 }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(-1f, t[0, 0, 0].item<float>());
        Assert.Equal(128 / 127.5f - 1f, t[1, 0, 0].item<float>(), 6);
        Assert.Equal(1f, t[2, 0, 0].item<float>());
        var (r, g, b) = img.GetPixel(5, 3);
        Assert.Equal(g / 127.5f - 1f, t[1, 3, 5].item<float>(), 6);
        Assert.Equal(img.Pixels, ImageTensors.ToImage(t).Pixels);
    }

    [Fact]
    public void ToImage_clamps_and_rounds()
    {
        // 100.4 -> 100, 100.6 -> 101, out of range clamps.
        float v(double p) => (float)(p / 127.5 - 1);
        using var t = torch.tensor(new float[] { v(100.4), v(100.6), 5f, -7f }, new long[] { 1, 2, 2 });
        var img = ImageTensors.ToImage(t);
        Assert.Equal((2, 2), (img.Width, img.Height));
        Assert.Equal((byte)100, img.GetPixel(0, 0).R);
        Assert.Equal((byte)101, img.GetPixel(1, 0).G);
        Assert.Equal((byte)255, img.GetPixel(0, 1).B);
        Assert.Equal((byte)0, img.GetPixel(1, 1).R);
        Assert.Throws<ArgumentException>(() => ImageTensors.ToImage(torch.zeros(2, 4, 4)));
    }

    [Fact]
    public void Crop_and_flip_move_pixels_correctly()
    {
        var img = Samples.Synthetic(10, 8, 5);
        var crop = ImageOps.Crop(img, 3, 2, 4, 5);
        Assert.Equal((4, 5), (crop.Width, crop.Height));
        Assert.Equal(img.GetPixel(3, 2), crop.GetPixel(0, 0));
        Assert.Equal(img.GetPixel(6, 6), crop.GetPixel(3, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Crop(img, 8, 0, 3, 3));

        var flip = ImageOps.FlipHorizontal(img);
        Assert.Equal(img.GetPixel(0, 3), flip.GetPixel(9, 3));
        Assert.Equal(img.GetPixel(9, 7), flip.GetPixel(0, 7));
        Assert.Equal(img.Pixels, ImageOps.FlipHorizontal(flip).Pixels);
    }

    [Fact]
    public void Resize_keeps_flat_colour_and_averages_fine_detail_when_shrinking()
    {
        var flat = new RgbImage(50, 30);
        for (int i = 0; i < flat.Pixels.Length; i += 3) { flat.Pixels[i] = 10; flat.Pixels[i + 1] = 200; flat.Pixels[i + 2] = 30; }
        foreach (var (w, h) in new[] { (20, 12), (7, 5), (120, 90) })
        {
            var r = ImageOps.Resize(flat, w, h);
            Assert.Equal((w, h), (r.Width, r.Height));
            Assert.All(Enumerable.Range(0, w * h), i => Assert.Equal((10, 200, 30), (r.Pixels[3 * i], r.Pixels[3 * i + 1], r.Pixels[3 * i + 2])));
        }

        // 1-pixel checkerboard shrunk ~7-9x: a good (mipmapped/area) filter gives ~mid gray, point sampling 0 or 255.
        var checker = new RgbImage(256, 256);
        for (int y = 0; y < 256; y++)
            for (int x = 0; x < 256; x++)
            {
                byte v = (byte)(((x + y) & 1) * 255);
                checker.SetPixel(x, y, v, v, v);
            }
        var small = ImageOps.Resize(checker, 37, 29);
        Assert.All(small.Pixels, p => Assert.InRange(p, 100, 155));
    }

    [Fact]
    public void Luma_is_rec601_and_replicated()
    {
        Assert.Equal(76, ImageOps.Luma(255, 0, 0));   // 0.299*255 = 76.245
        Assert.Equal(150, ImageOps.Luma(0, 255, 0));  // 149.685
        Assert.Equal(29, ImageOps.Luma(0, 0, 255));   // 29.07
        Assert.Equal(124, ImageOps.Luma(10, 200, 30)); // 123.81
        Assert.Equal(255, ImageOps.Luma(255, 255, 255));
        var img = Samples.Synthetic(9, 9, 6);
        img.SetPixel(4, 4, 10, 200, 30);
        var gray = ImageOps.ToLuma(img);
        Assert.Equal(((byte)124, (byte)124, (byte)124), gray.GetPixel(4, 4));
        for (int i = 0; i < gray.Pixels.Length; i += 3)
            Assert.True(gray.Pixels[i] == gray.Pixels[i + 1] && gray.Pixels[i] == gray.Pixels[i + 2]);
    }

    [Fact]
    public void Grid_png_has_expected_dimensions_and_layout()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        var red = torch.stack(new[] { torch.ones(8, 10), -torch.ones(8, 10), -torch.ones(8, 10) });
        var rows = new List<IReadOnlyList<Tensor>>
        {
            new[] { red, torch.zeros(3, 8, 10), torch.ones(3, 8, 10) },
            new[] { torch.zeros(3, 8, 10), red, -torch.ones(3, 8, 10) },
        };
        var path = Path.Combine(dir.Path, "grid.png");
        ImageGrid.Save(rows, path, padding: 2);
        var png = ImageCodec.Load(path);
        Assert.Equal(2 + 3 * (10 + 2), png.Width);  // 38
        Assert.Equal(2 + 2 * (8 + 2), png.Height);  // 22
        Assert.Equal(((byte)255, (byte)0, (byte)0), png.GetPixel(2, 2));                 // row 0 col 0: red
        Assert.Equal(((byte)255, (byte)255, (byte)255), png.GetPixel(2 + 2 * 12, 2));     // row 0 col 2: white
        Assert.Equal(((byte)255, (byte)0, (byte)0), png.GetPixel(2 + 12 + 9, 2 + 10 + 7)); // row 1 col 1 corner
        Assert.Equal(((byte)0, (byte)0, (byte)0), png.GetPixel(2 + 24, 2 + 10));          // row 1 col 2: black
        Assert.Equal(((byte)128, (byte)128, (byte)128), png.GetPixel(0, 0));               // padding
        Assert.Equal(((byte)128, (byte)128, (byte)128), png.GetPixel(12, 5));              // gap between columns
    }
}
