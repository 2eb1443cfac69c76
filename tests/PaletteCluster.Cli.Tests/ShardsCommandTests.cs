using PaletteCluster.Testing;

namespace PaletteCluster.Cli.Tests;

public class ShardsCommandTests
{
    [Fact]
    public void TrainingReadsShards()
    {
        var root = RealPhotos.NewTempDir("pc-shards-train");
        var input = RealPhotos.CopyTo(Path.Combine(root, "in"), 4);
        var shards = Path.Combine(root, "shards");
        Assert.Equal(0, PaletteProcess.Run("shards", "build", "--input", input, "--output", shards).ExitCode);
        var run = Path.Combine(root, "run");
        var r = PaletteProcess.Run("train", "--data", shards, "--out", run, "--task", "colorization,inpainting", "--steps", "3",
            "--checkpoint-every", "3", "--image-size", "32", "--batch", "4", "--samples", "2", "--device", "cpu");
        Assert.True(r.ExitCode == 0, r.All);
        Assert.True(Directory.Exists(Path.Combine(run, "checkpoints", "step-00000003")));
        Assert.True(File.Exists(Path.Combine(run, "samples", "step-00000003.png")));
    }

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
