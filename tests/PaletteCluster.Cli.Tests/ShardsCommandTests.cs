using PaletteCluster.Testing;

namespace PaletteCluster.Cli.Tests;

public class ShardsCommandTests
{
    [Fact]
    public void BuildSkipsBadFilesIsIdempotentAndVerifies()
    {
        var root = RealPhotos.NewTempDir("pc-shards");
        var input = RealPhotos.CopyTo(Path.Combine(root, "in"), 3);
        File.WriteAllBytes(Path.Combine(input, "empty.jpg"), []);
        File.WriteAllText(Path.Combine(input, "notes.png"), "not an image");
        var output = Path.Combine(root, "out");

        var first = PaletteProcess.Run("shards", "build", "--input", input, "--output", output);
        Assert.True(first.ExitCode == 0, first.All);
        Assert.Contains("Wrote 3 records", first.Stdout);
        Assert.Contains("skipped empty.jpg: ZeroByte", first.Stdout);
        Assert.Contains("skipped notes.png: NotAnImage", first.Stdout);
        Assert.True(File.Exists(Path.Combine(output, "report.json")));

        var again = PaletteProcess.Run("shards", "build", "--input", input, "--output", output);
        Assert.Contains("Up to date", again.Stdout);

        Assert.Equal(0, PaletteProcess.Run("shards", "verify", output).ExitCode);
        var shard = Path.Combine(output, "shard-000000.tar");
        var bytes = File.ReadAllBytes(shard);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(shard, bytes);
        var bad = PaletteProcess.Run("shards", "verify", output);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("shard-000000.tar", bad.Stderr);
        Assert.False(bad.HasStackTrace, bad.All);
    }
}
