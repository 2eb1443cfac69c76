namespace PaletteCluster.CheckpointFormat.Tests;

public class CheckpointVerifierTests
{
    [Fact]
    public void An_intact_checkpoint_verifies_and_yields_its_manifest()
    {
        var manifest = CheckpointVerifier.Verify(Fixture.Folder);
        Assert.Equal(42, manifest.Step);
        Assert.Null(CheckpointVerifier.FindProblem(Fixture.Folder, manifest));
    }

    [Fact]
    public void Truncation_is_caught_by_size_even_without_hashing()
    {
        using var root = new TempFolder();
        var folder = root.CopyFixture("step-00000042");
        var path = Path.Combine(folder, CheckpointFiles.Optimizer);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^1]);

        var e = Assert.Throws<CheckpointException>(() => CheckpointVerifier.Verify(folder, verifyHashes: false));
        Assert.Contains($"checkpoint {folder}: file optimizer.safetensors has the wrong size: it has {bytes.Length - 1} bytes", e.Message);
        Assert.EndsWith("(truncated)", e.Message);
    }

    [Fact]
    public void A_flipped_bit_is_caught_by_the_hash_only()
    {
        using var root = new TempFolder();
        var folder = root.CopyFixture("step-00000042");
        var path = Path.Combine(folder, CheckpointFiles.Ema);
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x08;
        File.WriteAllBytes(path, bytes);

        var manifest = CheckpointVerifier.Verify(folder, verifyHashes: false); // same size: passes the cheap check
        var problem = CheckpointVerifier.FindProblem(folder, manifest);
        Assert.Equal($"file ema.safetensors is corrupt: SHA-256 is {Sha256Hex.OfFile(path)} but the manifest says {manifest.Files[CheckpointFiles.Ema].Sha256}", problem);
        var e = Assert.Throws<CheckpointException>(() => CheckpointVerifier.Verify(folder));
        Assert.Contains("file ema.safetensors is corrupt", e.Message);
    }

    [Fact]
    public void Missing_files_manifests_and_folders_are_named()
    {
        using var root = new TempFolder();
        var folder = root.CopyFixture("step-00000042");
        File.Delete(Path.Combine(folder, CheckpointFiles.Model));
        Assert.Contains("file model.safetensors is missing (it is listed in manifest.json)",
            Assert.Throws<CheckpointException>(() => CheckpointVerifier.Verify(folder)).Message);

        File.Delete(Path.Combine(folder, CheckpointFiles.Manifest));
        Assert.Contains("manifest.json is missing", Assert.Throws<CheckpointException>(() => CheckpointVerifier.Verify(folder)).Message);
        Assert.Contains("folder does not exist", Assert.Throws<CheckpointException>(() => CheckpointVerifier.Verify(root.Combine("nope"))).Message);
    }

    [Fact]
    public void Required_files_must_be_listed()
    {
        var e = Assert.Throws<CheckpointException>(() => CheckpointVerifier.Verify(Fixture.Folder, [CheckpointFiles.Model, "vae.safetensors"]));
        Assert.Contains("required file vae.safetensors is not listed in manifest.json", e.Message);
        Assert.Equal(42, CheckpointVerifier.Verify(Fixture.Folder, [CheckpointFiles.Model]).Step);
    }
}
