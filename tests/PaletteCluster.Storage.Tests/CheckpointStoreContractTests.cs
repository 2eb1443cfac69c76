using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PaletteCluster.CheckpointFormat;

namespace PaletteCluster.Storage.Tests;

/// <summary>Publishing, damage-tolerant restore and retention of checkpoints; run on the file system and on Azurite.</summary>
public abstract class CheckpointStoreContractTests : IDisposable
{
    private const string Job = "jobs/colorize";
    private readonly string _work = TestData.TempFolder("ckpt");

    /// <summary>Deleted after the test: local checkpoints, restores, and the file-system store's root.</summary>
    protected string WorkFolder => _work;

    protected CheckpointStoreContractTests(ITestOutputHelper output) => Logger = new TestLogger(output);

    protected TestLogger Logger { get; }

    /// <summary>A fresh, empty blob store for one test.</summary>
    protected abstract IBlobStore Blobs { get; }

    private string Local => Path.Combine(_work, "local");
    private string Restore => Path.Combine(_work, "restore");

    private CheckpointStore NewStore(CheckpointRetention? retention = null) =>
        new(Blobs, new CheckpointStoreOptions { Job = Job, Retention = retention }, Logger);

    private async Task<CheckpointStore> PublishAsync(CheckpointRetention? retention, params long[] steps)
    {
        var store = NewStore(retention);
        foreach (var step in steps)
            await store.PublishAsync(FakeCheckpoint.Write(Local, step), step);
        return store;
    }

    private static string Blob(long step, string file) => $"{Job}/checkpoints/{CheckpointFolders.StepFolderName(step)}/{file}";

    [Fact]
    public async Task Latest_names_the_newest_of_three_and_restore_gives_identical_files()
    {
        var store = await PublishAsync(null, 10, 20, 30);

        Assert.Equal(30, await store.ReadLatestAsync());
        Assert.Equal("step-00000030", await Blobs.ReadTextAsync($"{Job}/checkpoints/latest"));
        var listed = await store.ListAsync();
        Assert.Equal([10L, 20, 30], listed.Select(c => c.Step));
        Assert.All(listed, c => Assert.Equal(CheckpointState.Complete, c.State));
        Assert.Equal([false, false, true], listed.Select(c => c.IsLatest));
        Assert.All(listed, c => Assert.Equal(4, c.FileCount));

        var result = await store.RestoreLatestAsync(Restore);
        Assert.Equal(30, result.Step);
        Assert.Empty(result.Rejected);
        Assert.Equal(Path.Combine(Restore, "step-00000030"), result.Directory);
        var source = Path.Combine(Local, "step-00000030");
        foreach (var file in Directory.GetFiles(source))
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(result.Directory!, Path.GetFileName(file))));
        Assert.Equal(["step-00000030"], Directory.GetFileSystemEntries(Restore).Select(Path.GetFileName)); // no temp folders left
        AssertPythonReaderAccepts(result.Directory!);
    }

    [Fact]
    public async Task A_truncated_file_in_the_newest_step_falls_back_to_the_previous()
    {
        var store = await PublishAsync(null, 10, 20, 30);
        var model = await TestData.ReadAllAsync(Blobs, Blob(30, "model.safetensors"));
        await Blobs.UploadAsync(Blob(30, "model.safetensors"), new MemoryStream(model[..(model.Length / 2)]));

        var result = await store.RestoreLatestAsync(Restore);

        Assert.Equal(20, result.Step);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(30, rejected.Step);
        Assert.Contains("model.safetensors", rejected.Reason);
        Assert.Contains("truncated", rejected.Reason);
        Assert.Contains(Logger.At(LogLevel.Warning), m => m.Contains("model.safetensors") && m.Contains("step 30"));
        Assert.Equal(CheckpointState.Partial, (await store.ListAsync()).Single(c => c.Step == 30).State);
    }

    [Fact]
    public async Task A_flipped_bit_in_the_newest_step_falls_back_to_the_previous()
    {
        var store = await PublishAsync(null, 10, 20, 30);
        var ema = await TestData.ReadAllAsync(Blobs, Blob(30, "ema.safetensors"));
        ema[^5] ^= 0x10; // same size: only the hash can tell
        await Blobs.UploadAsync(Blob(30, "ema.safetensors"), new MemoryStream(ema));
        Assert.Equal(CheckpointState.Complete, (await store.ListAsync()).Single(c => c.Step == 30).State);

        var result = await store.RestoreLatestAsync(Restore);

        Assert.Equal(20, result.Step);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(30, rejected.Step);
        Assert.Contains("ema.safetensors", rejected.Reason);
        Assert.Contains("SHA-256", rejected.Reason);
        Assert.Equal(["step-00000020"], Directory.GetFileSystemEntries(Restore).Select(Path.GetFileName)); // rejected download cleaned up
    }

    [Fact]
    public async Task A_deleted_manifest_in_the_newest_step_falls_back_to_the_previous()
    {
        var store = await PublishAsync(null, 10, 20, 30);
        Assert.True(await Blobs.DeleteAsync(Blob(30, "manifest.json")));

        var result = await store.RestoreLatestAsync(Restore);

        Assert.Equal(20, result.Step);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(30, rejected.Step);
        Assert.Contains("manifest.json", rejected.Reason);
        Assert.Equal(CheckpointState.Partial, (await store.ListAsync()).Single(c => c.Step == 30).State);
    }

    [Fact]
    public async Task Latest_pointing_to_a_missing_step_falls_back_to_the_newest_older_step()
    {
        var store = await PublishAsync(null, 10, 20, 30);
        await Blobs.WriteTextAsync($"{Job}/checkpoints/latest", "step-00000099");

        var result = await store.RestoreLatestAsync(Restore);

        Assert.Equal(30, result.Step);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal(99, rejected.Step);
        Assert.Contains("does not exist", rejected.Reason);
    }

    [Fact]
    public async Task When_every_step_is_damaged_restore_reports_all_and_restores_nothing()
    {
        var store = await PublishAsync(null, 10, 20);
        await Blobs.DeleteAsync(Blob(20, "optimizer.safetensors"));
        var model = await TestData.ReadAllAsync(Blobs, Blob(10, "model.safetensors"));
        model[40] ^= 1;
        await Blobs.UploadAsync(Blob(10, "model.safetensors"), new MemoryStream(model));

        var result = await store.RestoreLatestAsync(Restore);

        Assert.Null(result.Step);
        Assert.Null(result.Directory);
        Assert.Equal([20L, 10], result.Rejected.Select(r => r.Step));
        Assert.Contains("optimizer.safetensors is missing", result.Rejected[0].Reason);
        Assert.Contains("SHA-256", result.Rejected[1].Reason);
        Assert.False(Directory.Exists(Restore) && Directory.EnumerateFileSystemEntries(Restore).Any());
    }

    [Fact]
    public async Task An_empty_store_restores_nothing_and_rejects_nothing()
    {
        var result = await NewStore().RestoreLatestAsync(Restore);
        Assert.Null(result.Step);
        Assert.Empty(result.Rejected);
    }

    [Fact]
    public async Task An_interrupted_publish_leaves_latest_unchanged_and_the_step_partial_until_published_again()
    {
        var store = await PublishAsync(null, 10, 20);
        // A publish that died before its manifest: the files are there, manifest.json is not.
        var folder = FakeCheckpoint.Write(Local, 30);
        foreach (var file in Directory.GetFiles(folder).Where(f => !f.EndsWith("manifest.json")))
        {
            await using var content = File.OpenRead(file);
            await Blobs.UploadAsync(Blob(30, Path.GetFileName(file)), content);
        }

        Assert.Equal(20, await store.ReadLatestAsync());
        var partial = (await store.ListAsync()).Single(c => c.Step == 30);
        Assert.Equal(CheckpointState.Partial, partial.State);
        Assert.Contains("manifest.json is missing", partial.Problem);
        var restored = await store.RestoreLatestAsync(Restore);
        Assert.Equal(20, restored.Step);
        Assert.Empty(restored.Rejected); // a step newer than latest is not a candidate

        var published = await store.PublishAsync(folder, 30);
        Assert.True(published.LatestMoved);
        Assert.Equal(30, await store.ReadLatestAsync());
        Assert.Equal(CheckpointState.Complete, (await store.ListAsync()).Single(c => c.Step == 30).State);
    }

    [Fact]
    public async Task Retention_keeps_the_last_K_and_every_Mth_step()
    {
        var store = await PublishAsync(new CheckpointRetention { KeepLast = 2, KeepEvery = 30 }, 10, 20, 30, 40, 50, 60);
        var last = await store.PublishAsync(FakeCheckpoint.Write(Local, 70), 70);

        Assert.Equal([50L], last.Deleted); // 50 fell out of the last two; 60 is a milestone and stays
        Assert.Equal([30L, 60, 70], (await store.ListAsync()).Select(c => c.Step));
        var names = (await Blobs.ListAsync($"{Job}/checkpoints/")).Select(b => b.Name).ToList();
        Assert.DoesNotContain(names, n => n.Contains("step-00000010") || n.Contains("step-00000050"));
        Assert.Equal(70, await store.ReadLatestAsync());
    }

    [Fact]
    public async Task Retention_never_deletes_the_step_latest_names()
    {
        var store = await PublishAsync(null, 10, 20, 30, 40);
        // An operator rolled "latest" back to step 10 (e.g. the run diverged after it).
        await Blobs.WriteTextAsync($"{Job}/checkpoints/latest", "step-00000010");
        // A leftover of a crashed publish older than latest is cleaned up too.
        await Blobs.DeleteAsync(Blob(20, "manifest.json"));

        var deleted = await NewStore(new CheckpointRetention { KeepLast = 1 }).ApplyRetentionAsync();

        Assert.Equal([30L], deleted);
        Assert.Equal([10L, 20, 40], (await store.ListAsync()).Select(c => c.Step)); // 20 partial but newer than latest
        Assert.Equal(10, (await store.RestoreLatestAsync(Restore)).Step);
    }

    [Fact]
    public async Task Publishing_a_step_again_is_a_no_op_and_different_content_is_refused()
    {
        var store = await PublishAsync(null, 10);
        var again = await store.PublishAsync(Path.Combine(Local, "step-00000010"), 10);
        Assert.True(again.AlreadyPublished);
        Assert.Equal(0, again.FilesUploaded);

        var other = FakeCheckpoint.Write(Path.Combine(_work, "other"), 10, seed: 77);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => store.PublishAsync(other, 10));
        Assert.Contains("immutable", refused.Message);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Local, "step-00000010", "model.safetensors")),
            await TestData.ReadAllAsync(Blobs, Blob(10, "model.safetensors")));
    }

    [Fact]
    public async Task A_publish_that_never_became_latest_is_replaced_and_the_same_files_under_other_metadata_count_as_published()
    {
        var store = await PublishAsync(null, 10);
        // A worker uploaded step 20 completely, then died before moving "latest".
        var abandoned = FakeCheckpoint.Write(Path.Combine(_work, "dead-worker"), 20, seed: 5);
        foreach (var file in Directory.GetFiles(abandoned))
        {
            await using var content = File.OpenRead(file);
            await Blobs.UploadAsync(Blob(20, Path.GetFileName(file)), content);
        }
        Assert.Equal(10, await store.ReadLatestAsync());

        // Its successor retrains step 20 from step 10 and gets other bits (as GPU kernels may): the folder is replaced.
        var retrained = FakeCheckpoint.Write(Local, 20, seed: 6);
        var published = await store.PublishAsync(retrained, 20);
        Assert.False(published.AlreadyPublished);
        Assert.Equal(20, await store.ReadLatestAsync());
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(retrained, "model.safetensors")),
            await TestData.ReadAllAsync(Blobs, Blob(20, "model.safetensors")));

        // The same files under a manifest written at another time (retrained bit for bit on CPU): already published.
        var again = FakeCheckpoint.Write(Path.Combine(_work, "again"), 20, seed: 6);
        var manifestPath = Path.Combine(again, "manifest.json");
        await File.WriteAllTextAsync(manifestPath, (await File.ReadAllTextAsync(manifestPath)).Replace("2025-05-06", "2025-06-07"));
        var same = await store.PublishAsync(again, 20);
        Assert.True(same.AlreadyPublished);
        Assert.Equal(0, same.FilesUploaded);
        Assert.Empty((await store.RestoreLatestAsync(Restore)).Rejected);
    }

    [Fact]
    public async Task A_damaged_local_checkpoint_is_not_published()
    {
        var store = await PublishAsync(null, 10);
        var folder = FakeCheckpoint.Write(Local, 20);
        var path = Path.Combine(folder, "ema.safetensors");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xff;
        await File.WriteAllBytesAsync(path, bytes);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.PublishAsync(folder, 20));
        Assert.Contains("ema.safetensors", ex.Message);
        Assert.Empty(await Blobs.ListAsync($"{Job}/checkpoints/step-00000020/"));
        Assert.Equal(10, await store.ReadLatestAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => store.PublishAsync(Path.Combine(Local, "step-00000010"), 11));
    }

    [Fact]
    public async Task Restore_reuses_an_intact_local_copy_and_replaces_a_damaged_one()
    {
        var store = await PublishAsync(null, 10);
        var first = await store.RestoreLatestAsync(Restore);
        var model = Path.Combine(first.Directory!, "model.safetensors");
        var good = await File.ReadAllBytesAsync(model);

        var second = await store.RestoreLatestAsync(Restore);
        Assert.Equal(10, second.Step);
        Assert.Contains(Logger.At(LogLevel.Information), m => m.Contains("intact"));

        await File.WriteAllBytesAsync(model, good[..10]);
        var third = await store.RestoreLatestAsync(Restore);
        Assert.Equal(10, third.Step);
        Assert.Equal(good, await File.ReadAllBytesAsync(model));
    }

    /// <summary>The independent stdlib verifier (tools/checkpoint/read_checkpoint.py) accepts the folder.</summary>
    private static void AssertPythonReaderAccepts(string folder)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "PaletteCluster.sln"))) root = Path.GetDirectoryName(root)!;
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "tools", "checkpoint", "read_checkpoint.py"));
        start.ArgumentList.Add(folder);
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"read_checkpoint.py rejected {folder}: {stderr.Result}");
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}

public sealed class FileSystemCheckpointStoreTests : CheckpointStoreContractTests
{
    public FileSystemCheckpointStoreTests(ITestOutputHelper output) : base(output) =>
        Blobs = new FileSystemBlobStore(new FileSystemBlobStoreOptions { Root = Path.Combine(WorkFolder, "blobs") }, Logger);

    protected override IBlobStore Blobs { get; }
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureCheckpointStoreTests : CheckpointStoreContractTests
{
    public AzureCheckpointStoreTests(AzuriteFixture azurite, ITestOutputHelper output) : base(output) =>
        Blobs = azurite.CreateStore(Logger);

    protected override IBlobStore Blobs { get; }
}
