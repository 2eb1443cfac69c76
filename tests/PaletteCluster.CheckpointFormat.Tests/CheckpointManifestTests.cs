using System.Text;

namespace PaletteCluster.CheckpointFormat.Tests;

public class CheckpointManifestTests
{
    private static readonly string FixtureManifest = Path.Combine(Fixture.Folder, CheckpointFiles.Manifest);

    [Fact]
    public void A_manifest_written_by_the_previous_writer_reads_completely()
    {
        var manifest = CheckpointManifest.Parse(File.ReadAllText(FixtureManifest), "fixture");
        Assert.Equal((CheckpointManifest.FormatName, 1, 42L), (manifest.Format, manifest.FormatVersion, manifest.Step));
        Assert.Equal(new DateTime(2025, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc), manifest.CreatedUtc);
        Assert.Equal(DateTimeKind.Utc, manifest.CreatedUtc.Kind);
        Assert.Equal(64, manifest.Config["model"]!["channels"]!.GetValue<int>());
        Assert.Equal(3, manifest.State["scheduler"]!["lastEpoch"]!.GetValue<int>());
        Assert.Equal(1536, manifest.DataPosition["index"]!.GetValue<long>());
        Assert.Equal([1, 2, 3, 250, 0, 7], manifest.GetRngState("torch.cpu"));
        Assert.Equal(new byte[40], manifest.GetRngState("data"));
        Assert.Null(manifest.GetRngState("cuda"));
        Assert.Equal([CheckpointFiles.Ema, CheckpointFiles.Model, CheckpointFiles.Optimizer], manifest.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, entry) in manifest.Files)
        {
            var path = Path.Combine(Fixture.Folder, name);
            Assert.Equal((new FileInfo(path).Length, Sha256Hex.OfFile(path)), (entry.Bytes, entry.Sha256));
        }
        Assert.Equal(1176 + 1176 + 2000, manifest.TotalBytes);
    }

    [Fact]
    public void Writing_a_read_manifest_gives_the_same_bytes()
    {
        var original = File.ReadAllBytes(FixtureManifest);
        var manifest = CheckpointManifest.Parse(Encoding.UTF8.GetString(original), "fixture");
        Assert.Equal(Encoding.UTF8.GetString(original), manifest.ToJson());
        Assert.Equal(original, manifest.ToJsonBytes());
    }

    [Theory]
    [InlineData("[]", "is not a JSON object")]
    [InlineData("{", "is not valid JSON")]
    [InlineData("""{"format":"other","formatVersion":1}""", "has format 'other'")]
    [InlineData("""{"format":"palette-checkpoint","formatVersion":2,"step":1,"createdUtc":"2025-01-01T00:00:00Z","files":{}}""", "unsupported checkpoint format version 2")]
    [InlineData("""{"format":"palette-checkpoint","formatVersion":1,"createdUtc":"2025-01-01T00:00:00Z","files":{}}""", "has no 'step' field")]
    [InlineData("""{"format":"palette-checkpoint","formatVersion":1,"step":-1,"createdUtc":"2025-01-01T00:00:00Z","files":{}}""", "negative step")]
    [InlineData("""{"format":"palette-checkpoint","formatVersion":1,"step":1,"createdUtc":"2025-01-01T00:00:00Z","files":{"../x":{"bytes":1,"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}}""", "invalid file name '../x'")]
    [InlineData("""{"format":"palette-checkpoint","formatVersion":1,"step":1,"createdUtc":"2025-01-01T00:00:00Z","files":{"a.bin":{"bytes":1,"sha256":"ABC"}}}""", "invalid size/SHA-256 entry for file a.bin")]
    [InlineData("""{"format":"palette-checkpoint","formatVersion":1,"step":1,"createdUtc":"2025-01-01T00:00:00Z","files":{},"rng":{"cpu":"!!"}}""", "invalid base64 for RNG state 'cpu'")]
    public void Invalid_manifests_are_refused_with_a_reason(string json, string reason)
    {
        var e = Assert.Throws<CheckpointException>(() => CheckpointManifest.Parse(json, "checkpoint x"));
        Assert.StartsWith("checkpoint x: ", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Total_bytes_is_not_written_into_the_manifest() =>
        Assert.DoesNotContain("totalBytes", CheckpointManifest.Parse(File.ReadAllText(FixtureManifest), "fixture").ToJson());
}
