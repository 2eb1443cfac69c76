using System.Text.Json;
using PaletteCluster.Data.Shards;
using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tests.Shards;

public class ShardSplitAndRebuildTests
{
    [Fact]
    public void Small_target_size_splits_into_several_shards_whose_counts_add_up()
    {
        using var dir = new TempDir();
        var originals = ShardTestSupport.WriteGoodImages(dir, count: 10);
        const long target = 4000;

        var report = ShardBuilder.Build(ShardTestSupport.Options(dir) with { TargetShardBytes = target });

        string output = Path.Combine(dir.Path, "out");
        var manifest = ShardReader.Open(output, verifyShardHashes: true).Manifest;
        Assert.True(manifest.Shards.Count >= 3, $"expected >= 3 shards, got {manifest.Shards.Count}");
        Assert.Equal(manifest.Shards.Count, report.ShardCount);
        Assert.Equal(manifest.Shards.Select((_, i) => ShardFormat.ShardFileName(i)), ShardTestSupport.ShardFiles(output));
        Assert.Equal(originals.Count, manifest.Shards.Sum(s => s.Records));
        Assert.Equal(originals.Count, manifest.TotalRecords);
        long first = 0;
        foreach (var s in manifest.Shards)
        {
            Assert.Equal(first, s.FirstIndex);
            first += s.Records;
            Assert.True(s.Records >= 1);
            var length = new FileInfo(Path.Combine(output, s.File)).Length;
            Assert.Equal(s.Bytes, length);
            // Over the target only when a single record alone is bigger.
            Assert.True(length <= target || s.Records == 1, $"{s.File}: {length} bytes with {s.Records} records");
        }
        Assert.Equal(originals.Count, ShardReader.Open(output).ReadAll().Count());
        Assert.Equal(ShardBuildOptions.DefaultTargetShardBytes, 256L * 1024 * 1024);
    }

    [Fact]
    public void Manifest_records_settings_sizes_and_is_written_without_temp_files()
    {
        using var dir = new TempDir();
        ShardTestSupport.WriteGoodImages(dir, count: 4);
        ShardBuilder.Build(ShardTestSupport.Options(dir) with { MaxPixels = 12345 });
        string output = Path.Combine(dir.Path, "out");

        var manifest = ShardReader.Open(output).Manifest;
        Assert.Equal(ShardFormat.Version, manifest.FormatVersion);
        Assert.Equal(12345, manifest.Settings.MaxPixels);
        Assert.Equal(ShardBuildOptions.DefaultTargetShardBytes, manifest.Settings.TargetShardBytes);
        Assert.NotNull(manifest.Images);
        Assert.Equal((16, 25), (manifest.Images!.MinWidth, manifest.Images.MaxWidth));
        Assert.Equal(4, manifest.Images.LongSideHistogram.Values.Sum());
        Assert.Equal(64, manifest.Shards[0].Sha256.Length);
        Assert.Empty(Directory.GetFiles(output, "*.tmp"));
        Assert.Empty(Directory.GetFiles(output, "*.partial"));
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, ShardFormat.ManifestFileName)));
        Assert.Equal(4, json.RootElement.GetProperty("totalRecords").GetInt64());
        Assert.Equal("shard-000000.tar", json.RootElement.GetProperty("shards")[0].GetProperty("file").GetString());
    }

    [Fact]
    public void Rerun_with_unchanged_inputs_rewrites_nothing()
    {
        using var dir = new TempDir();
        ShardTestSupport.WriteGoodImages(dir, count: 5);
        File.WriteAllBytes(dir.File("in/bad/empty.jpg"), Array.Empty<byte>());
        var options = ShardTestSupport.Options(dir) with { TargetShardBytes = 3000 };
        ShardBuilder.Build(options);
        string output = Path.Combine(dir.Path, "out");
        var before = Directory.GetFiles(output).ToDictionary(f => f, f => File.GetLastWriteTimeUtc(f));
        Thread.Sleep(20); // so a rewrite would show a different mtime

        var progress = new CollectingProgress<ShardBuildProgress>();
        var again = ShardBuilder.Build(options with { Progress = progress });

        Assert.True(again.UpToDate);
        Assert.Equal(5, again.RecordsWritten);
        Assert.Equal(ShardIssueKind.ZeroByte, Assert.Single(again.Issues).Kind); // issue list comes from report.json
        Assert.Empty(progress.Reports);
        var after = Directory.GetFiles(output).ToDictionary(f => f, f => File.GetLastWriteTimeUtc(f));
        Assert.Equal(before, after);
    }

    [Fact]
    public void Changed_or_added_input_triggers_a_rebuild()
    {
        using var dir = new TempDir();
        ShardTestSupport.WriteGoodImages(dir, count: 4);
        var options = ShardTestSupport.Options(dir);
        ShardBuilder.Build(options);
        string output = Path.Combine(dir.Path, "out");
        string shard = Path.Combine(output, ShardFormat.ShardFileName(0));
        var firstHash = ShardReader.Open(output).Manifest.Shards[0].Sha256;

        // A changed file (new size) -> rebuild with its new bytes.
        var changed = Samples.EncodeJpeg(Samples.Synthetic(33, 21, 9));
        File.WriteAllBytes(Path.Combine(dir.Path, "in/set1/photo01.JPG"), changed);
        var rebuilt = ShardBuilder.Build(options);
        Assert.False(rebuilt.UpToDate);
        var reader = ShardReader.Open(output, verifyShardHashes: true);
        Assert.NotEqual(firstHash, reader.Manifest.Shards[0].Sha256);
        Assert.Equal(changed, reader.ReadAll().Single(r => r.Metadata.Source == "set1/photo01.JPG").ImageBytes);

        // An added file -> rebuild with one more record.
        ImageCodec.SavePng(Samples.Synthetic(9, 9), dir.File("in/zz.png"));
        var added = ShardBuilder.Build(options);
        Assert.False(added.UpToDate);
        Assert.Equal(5, ShardReader.Open(output).Count);

        // A changed setting -> rebuild; Force -> rebuild.
        Assert.False(ShardBuilder.Build(options with { MaxPixels = 1_000_000 }).UpToDate);
        Assert.True(ShardBuilder.Build(options with { MaxPixels = 1_000_000 }).UpToDate);
        Assert.False(ShardBuilder.Build(options with { MaxPixels = 1_000_000, Force = true }).UpToDate);
    }

    [Fact]
    public void Rebuild_with_fewer_shards_removes_stale_shard_files()
    {
        using var dir = new TempDir();
        ShardTestSupport.WriteGoodImages(dir, count: 8);
        string output = Path.Combine(dir.Path, "out");
        ShardBuilder.Build(ShardTestSupport.Options(dir) with { TargetShardBytes = 2500 });
        Assert.True(ShardTestSupport.ShardFiles(output).Length > 1);

        ShardBuilder.Build(ShardTestSupport.Options(dir));

        Assert.Equal(new[] { "shard-000000.tar" }, ShardTestSupport.ShardFiles(output));
        Assert.Equal(8, ShardReader.Open(output, verifyShardHashes: true).ReadAll().Count());
    }
}
