using System.Security.Cryptography;
using PaletteCluster.Data.Shards;
using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tests.Shards;

public class ShardRoundTripTests
{
    [Fact]
    public void Images_round_trip_byte_identical_with_metadata_in_ordinal_path_order()
    {
        using var dir = new TempDir();
        var originals = ShardTestSupport.WriteGoodImages(dir);
        var progress = new CollectingProgress<ShardBuildProgress>();

        var report = ShardBuilder.Build(ShardTestSupport.Options(dir) with { Progress = progress });

        Assert.False(report.UpToDate);
        Assert.Equal(originals.Count, report.RecordsWritten);
        Assert.Empty(report.Issues);
        var reader = ShardReader.Open(Path.Combine(dir.Path, "out"), verifyShardHashes: true);
        var records = reader.ReadAll().ToList();
        var expectedOrder = originals.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        Assert.Equal(expectedOrder, records.Select(r => r.Metadata.Source));
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var bytes = originals[r.Metadata.Source];
            Assert.Equal(i, r.Index);
            Assert.Equal(bytes, r.ImageBytes); // stored as-is, not re-encoded
            Assert.Equal(bytes.Length, r.Metadata.Bytes);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), r.Metadata.Sha256);
            var decoded = ImageCodec.Decode(bytes, r.Metadata.Source);
            Assert.Equal((decoded.Width, decoded.Height), (r.Metadata.Width, r.Metadata.Height));
            bool png = r.Metadata.Source.EndsWith(".png", StringComparison.Ordinal);
            Assert.Equal(png ? ".png" : ".jpg", r.Extension);
            Assert.Equal(png ? "png" : "jpeg", r.Metadata.Format);
        }
        Assert.Equal(originals.Count, reader.Count);

        // Progress: one report per file, ending at done == total with all bytes counted.
        Assert.Equal(originals.Count, progress.Reports.Count);
        var last = progress.Reports[^1];
        Assert.Equal((originals.Count, originals.Count), (last.FilesDone, last.FilesTotal));
        Assert.Equal(originals.Values.Sum(b => (long)b.Length), last.BytesDone);
        Assert.Equal(last.BytesTotal, last.BytesDone);
    }

    [Fact]
    public void Keys_are_sanitised_unique_and_follow_ordinal_order()
    {
        using var dir = new TempDir();
        var png = Samples.Synthetic(8, 8);
        foreach (var f in new[] { "b.png", "a_b.png", "a/b.png", "B.png", "a.png", "x y.v2.png" })
            ImageCodec.SavePng(png, dir.File("in/" + f));

        ShardBuilder.Build(ShardTestSupport.Options(dir));
        var records = ShardReader.Open(Path.Combine(dir.Path, "out")).ReadAll().ToList();

        Assert.Equal(new[] { "B.png", "a.png", "a/b.png", "a_b.png", "b.png", "x y.v2.png" }, records.Select(r => r.Metadata.Source));
        // '/' '.' ' ' become '_'; clashes (also ignoring case) get _2; keys never contain a dot (WebDataset splits there).
        Assert.Equal(new[] { "B", "a", "a_b", "a_b_2", "b_2", "x_y_v2" }, records.Select(r => r.Key));
    }

    [Fact]
    public void Random_access_by_global_index_matches_sequential_order_across_shards()
    {
        using var dir = new TempDir();
        ShardTestSupport.WriteGoodImages(dir, count: 9);
        ShardBuilder.Build(ShardTestSupport.Options(dir) with { TargetShardBytes = 3000 });
        var reader = ShardReader.Open(Path.Combine(dir.Path, "out"));
        Assert.True(reader.Manifest.Shards.Count > 1, "expected several shards");
        var all = reader.ReadAll().ToList();

        foreach (long i in new long[] { 8, 0, 4, 1, 7, 3, 2, 6, 5 })
        {
            var r = reader.Get(i);
            Assert.Equal(all[(int)i].Key, r.Key);
            Assert.Equal(all[(int)i].ImageBytes, r.ImageBytes);
            Assert.Equal(all[(int)i].Metadata, r.Metadata);
            Assert.Equal(i, r.Index);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Get(9));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Get(-1));
    }

    [Fact]
    public void List_files_with_comments_are_inputs_alongside_folders()
    {
        using var dir = new TempDir();
        var originals = ShardTestSupport.WriteGoodImages(dir, folder: "in", count: 2);
        ImageCodec.SavePng(Samples.Synthetic(10, 10, 5), dir.File("extra/one.png"));
        ImageCodec.SavePng(Samples.Synthetic(10, 10, 6), dir.File("extra/two.png"));
        File.WriteAllText(dir.File("list.txt"), "# extra images\n\nextra/one.png\n  " + Path.Combine(dir.Path, "extra/two.png") + "  \n#extra/three.png\n");

        var report = ShardBuilder.Build(new ShardBuildOptions
        {
            InputFolders = new[] { Path.Combine(dir.Path, "in") },
            ListFiles = new[] { Path.Combine(dir.Path, "list.txt") },
            OutputFolder = Path.Combine(dir.Path, "out"),
        });

        Assert.Equal(4, report.RecordsWritten);
        var sources = ShardReader.Open(Path.Combine(dir.Path, "out")).ReadAll().Select(r => r.Metadata.Source).ToArray();
        // Relative to the deepest common directory of all inputs (the temp dir here).
        Assert.Equal(new[] { "extra/one.png", "extra/two.png" }.Concat(originals.Keys.Select(k => "in/" + k)).OrderBy(s => s, StringComparer.Ordinal), sources);
    }

    [Fact]
    public void Same_inputs_give_byte_identical_shards_in_another_output()
    {
        using var dir = new TempDir();
        ShardTestSupport.WriteGoodImages(dir);
        ShardBuilder.Build(ShardTestSupport.Options(dir, output: "out1"));
        ShardBuilder.Build(ShardTestSupport.Options(dir, output: "out2"));
        var m1 = ShardReader.Open(Path.Combine(dir.Path, "out1")).Manifest;
        var m2 = ShardReader.Open(Path.Combine(dir.Path, "out2")).Manifest;
        Assert.Equal(m1.Shards.Select(s => s.Sha256), m2.Shards.Select(s => s.Sha256));
        Assert.Equal(m1.InputFingerprint, m2.InputFingerprint);
    }
}
