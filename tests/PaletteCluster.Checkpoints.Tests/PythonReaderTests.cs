using System.Text.Json.Nodes;
using static PaletteCluster.Checkpoints.Tests.TestUtil;

namespace PaletteCluster.Checkpoints.Tests;

/// <summary>The stdlib-only Python reader (tools/checkpoint/read_checkpoint.py) against C#-written checkpoints.</summary>
public class PythonReaderTests
{
    private static readonly string Script = RepoFile("tools", "checkpoint", "read_checkpoint.py");

    [Fact]
    public void PythonScript_VerifiesCheckpoint_AndReportsShapes()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000042");
        CheckpointWriter.Write(dir, SampleContent(42));

        var (code, stdout, stderr) = Run("python3", Script, "--json", dir);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        var report = JsonNode.Parse(stdout)!;
        Assert.Equal(42, (long)report["step"]!);
        Assert.Equal("2025-05-06T07:08:09.123Z", (string?)report["createdUtc"]);

        var model = report["files"]![CheckpointFiles.Model]!;
        var tensors = model["tensors"]!.AsObject();
        Assert.Equal(["unet.conv_in.bias", "unet.conv_in.weight", "unet.norm.weight"], tensors.Select(kv => kv.Key).Order(StringComparer.Ordinal));
        Assert.Equal("[8,3,3,3]", tensors["unet.conv_in.weight"]!["shape"]!.ToJsonString());
        Assert.Equal("F32", (string?)tensors["unet.conv_in.weight"]!["dtype"]);
        Assert.Equal("BF16", (string?)tensors["unet.norm.weight"]!["dtype"]);
        Assert.Equal(8 * 27 + 8 + 8, (long)model["parameters"]!);
        var step = report["files"]![CheckpointFiles.Optimizer]!["tensors"]!["state.0.step"]!;
        Assert.Equal("[]", step["shape"]!.ToJsonString());
        Assert.Equal("I64", (string?)step["dtype"]);

        var (code2, text, _) = Run("python3", Script, dir);
        Assert.Equal(0, code2);
        Assert.Contains("step: 42", text);
        Assert.Contains("unet.conv_in.weight\tF32\t[8, 3, 3, 3]", text);
        Assert.Contains("total parameters (model): 232", text);
    }

    [Fact]
    public void PythonScript_FailsOnTamperedCheckpoint()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000042");
        CheckpointWriter.Write(dir, SampleContent(42));
        var ema = Path.Combine(dir, CheckpointFiles.Ema);
        var header = SafeTensors.ReadHeader(ema);
        FlipBit(ema, header.DataStart + header.DataLength / 2);

        var (code, stdout, stderr) = Run("python3", Script, dir);
        Assert.Equal(1, code);
        Assert.Contains("file ema.safetensors is corrupt", stderr);
        Assert.DoesNotContain("OK", stdout);
    }

    [Fact]
    public void PythonScript_FailsOnMissingFileAndUnknownVersion()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000042");
        CheckpointWriter.Write(dir, SampleContent(42));
        var manifestPath = Path.Combine(dir, CheckpointFiles.Manifest);
        var original = File.ReadAllText(manifestPath);

        var node = JsonNode.Parse(original)!;
        node["formatVersion"] = 7;
        File.WriteAllText(manifestPath, node.ToJsonString());
        var (code, _, stderr) = Run("python3", Script, dir);
        Assert.Equal(1, code);
        Assert.Contains("unsupported checkpoint format version 7", stderr);

        File.WriteAllText(manifestPath, original);
        File.Delete(Path.Combine(dir, CheckpointFiles.Optimizer));
        (code, _, stderr) = Run("python3", Script, dir);
        Assert.Equal(1, code);
        Assert.Contains("file optimizer.safetensors is missing", stderr);
    }
}
