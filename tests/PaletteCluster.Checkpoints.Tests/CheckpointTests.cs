using System.Text.Json.Nodes;
using TorchSharp;
using static PaletteCluster.Checkpoints.Tests.TestUtil;
using static TorchSharp.torch;

namespace PaletteCluster.Checkpoints.Tests;

public class CheckpointTests
{
    [Fact]
    public void WriteThenOpen_RoundTripsTensorsAndManifestFields()
    {
        using var root = new TempDir();
        var dir = root.Combine("runs", "x", "step-000010");
        var content = SampleContent(10);

        var written = CheckpointWriter.Write(dir, content);
        var reader = CheckpointReader.Open(dir);
        var m = reader.Manifest;

        Assert.Equal(CheckpointManifest.FormatName, m.Format);
        Assert.Equal(CheckpointManifest.CurrentFormatVersion, m.FormatVersion);
        Assert.Equal(10, m.Step);
        Assert.Equal(content.CreatedUtc, m.CreatedUtc);
        Assert.Equal(DateTimeKind.Utc, m.CreatedUtc.Kind);
        Assert.True(JsonNode.DeepEquals(content.Config, m.Config));
        Assert.True(JsonNode.DeepEquals(content.State, m.State));
        Assert.True(JsonNode.DeepEquals(content.DataPosition, m.DataPosition));
        Assert.Equal(content.RngStates!["torch.cpu"], reader.GetRngState("torch.cpu"));
        Assert.Equal(content.RngStates!["data"], reader.GetRngState("data"));
        Assert.Throws<CheckpointException>(() => reader.GetRngState("cuda"));

        Assert.Equal([CheckpointFiles.Ema, CheckpointFiles.Model, CheckpointFiles.Optimizer], m.Files.Keys.Order());
        foreach (var (name, entry) in m.Files)
        {
            var path = Path.Combine(dir, name);
            Assert.Equal(new FileInfo(path).Length, entry.Bytes);
            Assert.Equal(Sha256(path), entry.Sha256); // hashed while writing == hash of the bytes on disk
            Assert.Equal(written.Files[name], entry);
        }

        foreach (var (file, tensors) in content.TensorFiles)
        {
            var loaded = reader.LoadTensors(file, out var metadata);
            Assert.Equal("pt", metadata["format"]);
            Assert.Equal(tensors.Count, loaded.Count);
            foreach (var (name, t) in tensors) AssertBitwiseEqual(t, loaded[name]);
        }

        // Nothing but the checkpoint is left in the parent (temp folder renamed away).
        Assert.Equal(["step-000010"], Directory.GetFileSystemEntries(root.Combine("runs", "x")).Select(Path.GetFileName));
        Assert.Equal(4, Directory.GetFiles(dir).Length);
    }

    [Fact]
    public void Manifest_IsIndentedCamelCaseJson_WithIsoUtcTime()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000010");
        CheckpointWriter.Write(dir, SampleContent(10));
        var text = File.ReadAllText(Path.Combine(dir, CheckpointFiles.Manifest));

        Assert.Contains("\n  \"formatVersion\": 1,", text);
        Assert.Contains("\"createdUtc\": \"2025-05-06T07:08:09.123Z\"", text);
        Assert.Contains("\"dataPosition\": {", text);
        Assert.Contains("\"torch.cpu\": \"AQID+gAH\"", text);
        Assert.Matches("\"sha256\": \"[0-9a-f]{64}\"", text);
        var node = JsonNode.Parse(text)!;
        Assert.Equal("palette-checkpoint", (string?)node["format"]);
        Assert.Equal(1536, (int)node["dataPosition"]!["index"]!);
        Assert.Equal(64, (int)node["config"]!["model"]!["channels"]!);
    }

    [Fact]
    public void SameContent_GivesIdenticalFiles()
    {
        using var root = new TempDir();
        CheckpointWriter.Write(root.Combine("a"), SampleContent());
        CheckpointWriter.Write(root.Combine("b"), SampleContent());
        foreach (var name in new[] { CheckpointFiles.Model, CheckpointFiles.Ema, CheckpointFiles.Optimizer, CheckpointFiles.Manifest })
            Assert.Equal(File.ReadAllBytes(root.Combine("a", name)), File.ReadAllBytes(root.Combine("b", name)));
    }

    [Fact]
    public void TamperedTensorBytes_AreReportedAsCorrupt_NamingCheckpointAndFile()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000010");
        CheckpointWriter.Write(dir, SampleContent());
        var ema = Path.Combine(dir, CheckpointFiles.Ema);
        var header = SafeTensors.ReadHeader(ema);
        var weight = header.Tensors.Single(t => t.Name == "unet.conv_in.weight");
        FlipBit(ema, header.DataStart + (weight.Begin + weight.End) / 2);

        var ex = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir));
        Assert.Contains($"checkpoint {dir}", ex.Message);
        Assert.Contains("file ema.safetensors is corrupt: SHA-256 is ", ex.Message);
        Assert.Contains("but the manifest says ", ex.Message);
    }

    [Fact]
    public void TruncatedFile_IsReported()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000010");
        CheckpointWriter.Write(dir, SampleContent());
        using (var f = new FileStream(Path.Combine(dir, CheckpointFiles.Optimizer), FileMode.Open)) f.SetLength(f.Length - 100);

        var ex = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir));
        Assert.Contains("file optimizer.safetensors has the wrong size", ex.Message);
        Assert.Contains("(truncated)", ex.Message);
        Assert.Contains(dir, ex.Message);

        // Sizes are checked even when hashing is skipped.
        var ex2 = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir, verifyHashes: false));
        Assert.Contains("optimizer.safetensors", ex2.Message);
    }

    [Fact]
    public void MissingFile_IsReported()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000010");
        CheckpointWriter.Write(dir, SampleContent());
        File.Delete(Path.Combine(dir, CheckpointFiles.Model));

        var ex = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir));
        Assert.Contains($"checkpoint {dir}: file model.safetensors is missing", ex.Message);
    }

    [Fact]
    public void RequiredFileNotListed_IsReported()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000010");
        CheckpointWriter.Write(dir, SampleContent());
        EditManifest(dir, m => m["files"]!.AsObject().Remove(CheckpointFiles.Ema));

        var ex = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir));
        Assert.Contains("required file ema.safetensors is not listed", ex.Message);
        // A reader that needs only the weights can open it.
        Assert.Equal(10, CheckpointReader.Open(dir, requiredFiles: [CheckpointFiles.Model]).Manifest.Step);
    }

    [Fact]
    public void MissingManifest_IsReported()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000010");
        CheckpointWriter.Write(dir, SampleContent());
        File.Delete(Path.Combine(dir, CheckpointFiles.Manifest));

        var ex = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir));
        Assert.Contains($"checkpoint {dir}: manifest.json is missing", ex.Message);
    }

    [Theory]
    [InlineData("{ \"format\": \"palette-checkpoint\", \"formatVersion\": 1, ", "not valid JSON")]
    [InlineData("[1, 2, 3]", "not a JSON object")]
    [InlineData("{\"format\": \"something-else\", \"formatVersion\": 1}", "format 'something-else'")]
    [InlineData("{\"format\": \"palette-checkpoint\", \"formatVersion\": 1, \"step\": 3}", "no 'createdUtc' field")]
    [InlineData("{\"format\": \"palette-checkpoint\", \"formatVersion\": 1, \"step\": \"x\", \"createdUtc\": \"2025-01-01T00:00:00Z\", \"files\": {}}", "invalid fields")]
    public void GarbledManifest_IsReported(string manifestText, string expected)
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000010");
        CheckpointWriter.Write(dir, SampleContent());
        File.WriteAllText(Path.Combine(dir, CheckpointFiles.Manifest), manifestText);

        var ex = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir));
        Assert.Contains($"checkpoint {dir}", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void BadShaInManifest_IsReported()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000010");
        CheckpointWriter.Write(dir, SampleContent());
        EditManifest(dir, m => m["files"]![CheckpointFiles.Model]!["sha256"] = "XYZ");

        var ex = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir));
        Assert.Contains("invalid size/SHA-256 entry for file model.safetensors", ex.Message);
    }

    [Fact]
    public void UnknownFormatVersion_IsReported()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000010");
        CheckpointWriter.Write(dir, SampleContent());
        EditManifest(dir, m => m["formatVersion"] = 99);

        var ex = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir));
        Assert.Contains($"checkpoint {dir}: unsupported checkpoint format version 99", ex.Message);
    }

    [Fact]
    public void ExistingTarget_IsRefused_AndLeftIntact()
    {
        using var root = new TempDir();
        var dir = root.Combine("step-000010");
        CheckpointWriter.Write(dir, SampleContent(10));
        var before = File.ReadAllBytes(Path.Combine(dir, CheckpointFiles.Model));

        var ex = Assert.Throws<CheckpointException>(() => CheckpointWriter.Write(dir, SampleContent(11)));
        Assert.Contains("already exists", ex.Message);
        Assert.Contains("refusing to overwrite", ex.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, CheckpointFiles.Model)));
        Assert.Equal(10, CheckpointReader.Open(dir).Manifest.Step);

        // An existing non-checkpoint folder is refused too.
        var other = root.Combine("step-000020");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "notes.txt"), "keep me");
        Assert.Throws<CheckpointException>(() => CheckpointWriter.Write(other, SampleContent(20)));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(other, "notes.txt")));
        // No temp folders are left behind by refused writes.
        Assert.DoesNotContain(Directory.GetDirectories(root.Path), d => Path.GetFileName(d).StartsWith('.'));
    }

    [Fact]
    public void LeftoverTempFolder_IsIgnored()
    {
        using var root = new TempDir();
        CheckpointWriter.Write(root.Combine("step-000010"), SampleContent(10));
        // Simulate a crash while writing step 20: a hidden temp folder with a partial file and no manifest.
        var crashed = root.Combine($".step-000020{CheckpointWriter.TempInfix}0123456789abcdef");
        Directory.CreateDirectory(crashed);
        File.WriteAllBytes(Path.Combine(crashed, CheckpointFiles.Model), [1, 2, 3, 4]);
        // And a crashed one that had even written its manifest, but was never renamed.
        var crashed2 = root.Combine($".step-000030{CheckpointWriter.TempInfix}fedcba9876543210");
        Directory.CreateDirectory(crashed2);
        File.WriteAllText(Path.Combine(crashed2, CheckpointFiles.Manifest), "{}");
        // A stray non-checkpoint folder.
        Directory.CreateDirectory(root.Combine("tensorboard"));

        Assert.True(CheckpointWriter.IsTempFolderName(Path.GetFileName(crashed)));
        Assert.Equal([root.Combine("step-000010")], CheckpointReader.List(root.Path).Select(c => c.Directory));
        Assert.Equal(root.Combine("step-000010"), CheckpointReader.FindLatest(root.Path));

        // Writing the step that crashed before works, and becomes the latest.
        CheckpointWriter.Write(root.Combine("step-000020"), SampleContent(20));
        Assert.Equal(root.Combine("step-000020"), CheckpointReader.FindLatest(root.Path));
        Assert.Equal(20, CheckpointReader.Open(root.Combine("step-000020")).Manifest.Step);
        Assert.Equal([10L, 20L], CheckpointReader.List(root.Path).Select(c => c.Step));
    }

    [Fact]
    public void NonexistentFolder_IsReported()
    {
        using var root = new TempDir();
        var ex = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(root.Combine("nope")));
        Assert.Contains("folder does not exist", ex.Message);
        Assert.Null(CheckpointReader.FindLatest(root.Combine("nope")));
    }

    [Fact]
    public void Writer_RequiresStandardFiles_AndValidNames()
    {
        using var root = new TempDir();
        var content = SampleContent();
        var noEma = content with
        {
            TensorFiles = content.TensorFiles.Where(kv => kv.Key != CheckpointFiles.Ema).ToDictionary(),
        };
        Assert.Throws<ArgumentException>(() => CheckpointWriter.Write(root.Combine("a"), noEma));
        Assert.False(Directory.Exists(root.Combine("a")));

        var weightsOnly = CheckpointWriter.Write(root.Combine("b"), noEma, requiredFiles: [CheckpointFiles.Model]);
        Assert.Equal(2, weightsOnly.Files.Count);

        var badName = content with
        {
            TensorFiles = new Dictionary<string, IReadOnlyDictionary<string, Tensor>>(content.TensorFiles)
            {
                ["../escape.safetensors"] = new Dictionary<string, Tensor>(),
            },
        };
        Assert.Throws<ArgumentException>(() => CheckpointWriter.Write(root.Combine("c"), badName));
    }

    [Fact]
    public void LoadTensors_OfStructurallyBadFile_NamesCheckpointAndFile()
    {
        // Hashes consistent with a broken file (e.g. written by a buggy foreign tool): Open passes, loading fails clearly.
        using var root = new TempDir();
        var dir = root.Combine("step-000010");
        CheckpointWriter.Write(dir, SampleContent());
        var model = Path.Combine(dir, CheckpointFiles.Model);
        File.WriteAllBytes(model, [8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}', 0, 0, 0, 0, 0, 0, 9]);
        EditManifest(dir, m => m["files"]![CheckpointFiles.Model] = new JsonObject
        {
            ["bytes"] = new FileInfo(model).Length,
            ["sha256"] = Sha256(model),
        });

        var reader = CheckpointReader.Open(dir);
        var ex = Assert.Throws<CheckpointException>(() => reader.LoadTensors(CheckpointFiles.Model));
        Assert.Contains($"checkpoint {dir}: file model.safetensors", ex.Message);
        Assert.Throws<CheckpointException>(() => reader.LoadTensors("other.safetensors"));
    }

    private static void EditManifest(string dir, Action<JsonObject> edit)
    {
        var path = Path.Combine(dir, CheckpointFiles.Manifest);
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(node);
        File.WriteAllText(path, node.ToJsonString());
    }
}
