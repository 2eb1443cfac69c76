using PaletteCluster.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Data.Tests;

public class LoaderTests
{
    private static TempDir MakeFolder(int good, bool withBad)
    {
        var dir = new TempDir();
        for (int i = 0; i < good; i++)
            ImageCodec.SavePng(Samples.Synthetic(40 + 7 * i, 30 + 5 * (i % 3), i), dir.File($"good/img{i:D2}.png"));
        if (withBad) Samples.WriteBadFiles(dir);
        return dir;
    }

    private static byte[] Bytes(Tensor t) => t.contiguous().bytes.ToArray();

    private static List<(IReadOnlyList<SampleRef> Samples, DataPosition Pos, byte[] Cond, byte[] Targ)> Run(PairBatchLoader loader, int batches)
    {
        var result = new List<(IReadOnlyList<SampleRef>, DataPosition, byte[], byte[])>();
        for (int i = 0; i < batches; i++)
        {
            using var b = loader.Next();
            result.Add((b.Samples, b.Position, Bytes(b.Condition), Bytes(b.Target)));
        }
        return result;
    }

    [Fact]
    public void Colorization_condition_is_luma_of_target_on_three_identical_channels()
    {
        var img = new RgbImage(48, 32);
        for (int i = 0; i < img.Pixels.Length; i += 3) { img.Pixels[i] = 10; img.Pixels[i + 1] = 200; img.Pixels[i + 2] = 30; }
        img.SetPixel(47, 31, 255, 0, 0);
        var rng = DeterministicRng.ForSample(1, 0, 0);
        var s = new ColorizationTask().Make(img, 16, ref rng);
        Assert.Null(s.Mask);
        Assert.Equal(3 * 16 * 16, s.Condition.Length);
        Assert.Equal(3 * 16 * 16, s.Target.Length);
        const int plane = 16 * 16;
        for (int i = 0; i < plane; i++)
        {
            Assert.Equal(s.Condition[i], s.Condition[plane + i]);
            Assert.Equal(s.Condition[i], s.Condition[2 * plane + i]);
        }
        // Top-left pixel is far from the red corner: target (10,200,30), condition Rec.601 124.
        Assert.Equal(10 / 127.5f - 1, s.Target[0], 5);
        Assert.Equal(200 / 127.5f - 1, s.Target[plane], 5);
        Assert.Equal(124 / 127.5f - 1, s.Condition[0], 5);
        // Target keeps colour.
        Assert.NotEqual(s.Target[0], s.Target[plane]);
    }

    [Fact]
    public void Batches_have_the_right_shapes_and_ranges_on_real_photos()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "baboon.jpg", "fruits.jpg", "messi5.jpg" })
            File.Copy(Samples.RequireOpenCvPhoto(name), dir.File(name));
        var loader = new PairBatchLoader(ImageFolder.Scan(dir.Path), new ColorizationTask(), batchSize: 2, imageSize: 64, seed: 5);
        using var b = loader.Next();
        Assert.Equal(new long[] { 2, 3, 64, 64 }, b.Condition.shape);
        Assert.Equal(new long[] { 2, 3, 64, 64 }, b.Target.shape);
        Assert.Equal(ScalarType.Float32, b.Target.dtype);
        Assert.Null(b.Mask);
        Assert.True(b.Target.min().item<float>() >= -1f && b.Target.max().item<float>() <= 1f);
        Assert.True(b.Condition[.., 0].eq(b.Condition[.., 2]).all().item<bool>());
        Assert.False(b.Target[.., 0].eq(b.Target[.., 2]).all().item<bool>());
        Assert.Equal(new DataPosition(0, 2), b.Position);
        Assert.Equal(b.Position, loader.Position);
        Assert.Empty(loader.SkippedFiles);
    }

    [Fact]
    public void Same_seed_gives_identical_bytes_and_different_seed_differs()
    {
        using var dir = MakeFolder(5, withBad: false);
        var folder = ImageFolder.Scan(dir.Path);
        var a = Run(new PairBatchLoader(folder, new ColorizationTask(), 3, 24, seed: 17), 4);
        var b = Run(new PairBatchLoader(folder, new ColorizationTask(), 3, 24, seed: 17), 4);
        var c = Run(new PairBatchLoader(folder, new ColorizationTask(), 3, 24, seed: 18), 4);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(a[i].Samples, b[i].Samples);
            Assert.Equal(a[i].Cond, b[i].Cond);
            Assert.Equal(a[i].Targ, b[i].Targ);
        }
        Assert.NotEqual(a.SelectMany(x => x.Targ), c.SelectMany(x => x.Targ));
        Assert.NotEqual(a.SelectMany(x => x.Samples.Select(s => s.ItemIndex)), c.SelectMany(x => x.Samples.Select(s => s.ItemIndex)));
    }

    [Fact]
    public void Bad_files_are_skipped_counted_and_logged_once_while_batches_continue()
    {
        using var dir = MakeFolder(4, withBad: true);
        var folder = ImageFolder.Scan(dir.Path);
        Assert.Equal(8, folder.Count);
        var log = new ListLogger();
        var loader = new PairBatchLoader(folder, new ColorizationTask(), new EpochSampler(folder.Count, 3), 3, 16, 3, logger: log);
        var batches = Run(loader, 6); // 18 samples = 4.5 epochs of good images: every bad file is drawn several times.

        Assert.All(batches, b => Assert.Equal(3, b.Samples.Count));
        Assert.All(batches.SelectMany(b => b.Samples), s => Assert.StartsWith("good/", folder.RelativePaths[s.ItemIndex]));
        Assert.Equal(new[] { "bad/empty.jpg", "bad/random.png", "bad/text.jpg", "bad/truncated.jpg" },
            loader.SkippedFiles.Select(f => f.RelativePath).Order(StringComparer.Ordinal));
        Assert.Contains("zero-byte", loader.SkippedFiles.Single(f => f.RelativePath == "bad/empty.jpg").Reason);
        Assert.Contains("truncated", loader.SkippedFiles.Single(f => f.RelativePath == "bad/truncated.jpg").Reason);
        Assert.True(loader.SkippedSamples >= 16, $"skipped {loader.SkippedSamples}");
        // Slots consumed = samples + skipped.
        var end = batches[^1].Pos;
        Assert.Equal(18 + loader.SkippedSamples, end.Epoch * 8 + end.Index);
        Assert.Equal(4, log.Entries.Count);
        Assert.All(log.Entries, e => Assert.Contains("bad/", e.Message));
    }

    [Fact]
    public void All_bad_files_is_a_clear_error_not_a_hang()
    {
        using var dir = new TempDir();
        Samples.WriteBadFiles(dir);
        var loader = new PairBatchLoader(ImageFolder.Scan(dir.Path), new ColorizationTask(), 2, 16, 1);
        var e = Assert.Throws<InvalidDataException>(() => loader.Next());
        Assert.Contains("None of the 4 images", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void Resume_from_saved_position_yields_exactly_the_remaining_stream(int k)
    {
        using var dir = MakeFolder(5, withBad: true);
        var folder = ImageFolder.Scan(dir.Path);
        const int total = 7;
        var full = Run(new PairBatchLoader(folder, new ColorizationTask(), 4, 20, seed: 99), total);
        var saved = k == 0 ? DataPosition.Start : full[k - 1].Pos;

        // A new loader constructed at the saved position (as after a restart)...
        var resumed = Run(new PairBatchLoader(folder, new ColorizationTask(), 4, 20, seed: 99, start: saved), total - k);
        // ...and an existing loader that has already drawn other batches, then Seeks.
        var seeker = new PairBatchLoader(folder, new ColorizationTask(), 4, 20, seed: 99);
        Run(seeker, 2);
        seeker.Seek(saved);
        var sought = Run(seeker, total - k);

        foreach (var other in new[] { resumed, sought })
            for (int i = 0; i < total - k; i++)
            {
                var (want, got) = (full[k + i], other[i]);
                Assert.Equal(want.Samples.Select(s => (s.Position.Epoch, s.Position.Index, s.ItemIndex)),
                             got.Samples.Select(s => (s.Position.Epoch, s.Position.Index, s.ItemIndex)));
                Assert.Equal(want.Pos, got.Pos);
                Assert.Equal(want.Cond, got.Cond);
                Assert.Equal(want.Targ, got.Targ);
            }
        Assert.True(full[^1].Pos.Epoch >= 2, "the test should cross epoch boundaries");
    }
}
