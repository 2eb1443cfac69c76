using PaletteCluster.Data.Shards;

namespace PaletteCluster.Data.Tests.Shards;

public class ShardIntegrityTests
{
    private static string BuildShards(TempDir dir)
    {
        ShardTestSupport.WriteGoodImages(dir, count: 6);
        ShardBuilder.Build(ShardTestSupport.Options(dir) with { TargetShardBytes = 3000 });
        return Path.Combine(dir.Path, "out");
    }

    [Fact]
    public void Untouched_shards_verify_against_the_manifest()
    {
        using var dir = new TempDir();
        string output = BuildShards(dir);
        var reader = ShardReader.Open(output, verifyShardHashes: true);
        reader.VerifyShardHashes();
        Assert.Equal(6, reader.ReadAll().Count());
    }

    [Fact]
    public void Tampered_shard_is_named_by_hash_verification_and_by_record_reads()
    {
        using var dir = new TempDir();
        string output = BuildShards(dir);
        var manifest = ShardReader.Open(output).Manifest;
        var victim = manifest.Shards[1];
        string path = Path.Combine(output, victim.File);
        var bytes = File.ReadAllBytes(path);
        bytes[512 + 40] ^= 0xFF; // inside the first image's data: same size, different content
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ShardIntegrityException>(() => ShardReader.Open(output, verifyShardHashes: true));
        Assert.Equal(path, e.File);
        Assert.Contains(victim.File, e.Message);
        Assert.Contains("SHA-256 mismatch", e.Message);

        // Without the up-front check, the damaged record itself is caught when read.
        var reader = ShardReader.Open(output);
        var e2 = Assert.Throws<ShardIntegrityException>(() => reader.ReadAll().ToList());
        Assert.Contains(victim.File, e2.Message);
        Assert.Contains("does not match its metadata", e2.Message);
        var e3 = Assert.Throws<ShardIntegrityException>(() => reader.Get(victim.FirstIndex));
        Assert.Contains(victim.File, e3.Message);
        // Records in intact shards still read.
        Assert.Equal(0, reader.Get(0).Index);
    }

    [Fact]
    public void Truncated_or_missing_shard_fails_on_open_naming_it()
    {
        using var dir = new TempDir();
        string output = BuildShards(dir);
        string first = Path.Combine(output, ShardFormat.ShardFileName(0));
        using (var f = new FileStream(first, FileMode.Open))
            f.SetLength(f.Length - 512);
        var e = Assert.Throws<ShardIntegrityException>(() => ShardReader.Open(output));
        Assert.Contains("shard-000000.tar", e.Message);
        Assert.Contains("manifest says", e.Message);

        File.Delete(first);
        var e2 = Assert.Throws<ShardIntegrityException>(() => ShardReader.Open(output));
        Assert.Contains("shard-000000.tar", e2.Message);
        Assert.Contains("missing", e2.Message);
    }

    [Fact]
    public void Folder_without_manifest_is_not_a_shard_set()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ShardIntegrityException>(() => ShardReader.Open(dir.Path));
        Assert.Contains(ShardFormat.ManifestFileName, e.Message);
    }

    [Fact]
    public void Interrupted_rebuild_leaves_no_manifest_so_the_next_run_rebuilds()
    {
        using var dir = new TempDir();
        string output = BuildShards(dir);
        // Simulate a crash mid-rebuild: the builder deletes the manifest before touching shards.
        File.Delete(Path.Combine(output, ShardFormat.ManifestFileName));
        Assert.Throws<ShardIntegrityException>(() => ShardReader.Open(output));
        var report = ShardBuilder.Build(ShardTestSupport.Options(dir) with { TargetShardBytes = 3000 });
        Assert.False(report.UpToDate);
        Assert.Equal(6, ShardReader.Open(output, verifyShardHashes: true).Count);
    }
}
