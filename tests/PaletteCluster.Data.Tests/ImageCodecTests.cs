using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tests;

public class ImageCodecTests
{
    [Fact]
    public void Decodes_a_real_colour_photo_from_opencv_doc()
    {
        var path = Samples.RequireOpenCvPhoto("baboon.jpg");
        var img = ImageCodec.Load(path);
        Assert.Equal(512, img.Width);
        Assert.Equal(512, img.Height);
        // A colour photo: channels differ substantially on average, and it is not flat.
        double diff = 0; int min = 255, max = 0;
        for (int i = 0; i < img.Pixels.Length; i += 3)
        {
            diff += Math.Abs(img.Pixels[i] - img.Pixels[i + 1]) + Math.Abs(img.Pixels[i + 1] - img.Pixels[i + 2]);
            min = Math.Min(min, img.Pixels[i + 1]); max = Math.Max(max, img.Pixels[i + 1]);
        }
        Assert.True(diff / (img.Width * img.Height) > 20, $"baboon.jpg looks gray: mean channel difference {diff / (img.Width * img.Height):F1}");
        Assert.True(max - min > 150);
    }

    [Fact]
    public void Decodes_an_rgba_png_from_opencv_doc()
    {
        var img = ImageCodec.Load(Samples.RequireOpenCvPhoto("chicky_512.png"));
        Assert.Equal((512, 512), (img.Width, img.Height));
    }

    [Theory]
    [InlineData("bad/empty.jpg", "zero-byte")]
    [InlineData("bad/truncated.jpg", "truncated")]
    [InlineData("bad/random.png", "not a recognised image")]
    [InlineData("bad/text.jpg", "not a recognised image")]
    public void Bad_files_give_ImageDecodeException_naming_the_file(string relative, string reason)
    {
        using var dir = new TempDir();
        Samples.WriteBadFiles(dir);
        var path = Path.Combine(dir.Path, relative);
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Load(path));
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        Assert.Contains(reason, e.Reason);
    }

    [Fact]
    public void Missing_file_gives_ImageDecodeException()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "gone.png");
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodec.Load(path));
        Assert.Contains("gone.png", e.Message);
        Assert.Contains("not found", e.Reason);
    }

    [Fact]
    public void Png_save_and_load_is_lossless()
    {
        using var dir = new TempDir();
        var img = Samples.Synthetic(37, 23, 1);
        var path = dir.File("out/x.png");
        ImageCodec.SavePng(img, path);
        var back = ImageCodec.Load(path);
        Assert.Equal((37, 23), (back.Width, back.Height));
        Assert.Equal(img.Pixels, back.Pixels);
    }

    [Fact]
    public void Jpeg_decodes_close_to_the_original()
    {
        var img = Samples.Synthetic(64, 48, 2);
        var back = ImageCodec.Decode(Samples.EncodeJpeg(img, 95), "memory.jpg");
        Assert.Equal((64, 48), (back.Width, back.Height));
        double err = img.Pixels.Zip(back.Pixels, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(err < 12, $"mean abs error {err}");
    }
}
