using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

namespace PaletteCluster.Storage.Tests;

/// <summary>What every <see cref="IBlobStore"/> must do; run against the file system and against Azurite.</summary>
public abstract class BlobStoreContractTests(ITestOutputHelper output)
{
    protected TestLogger Logger { get; } = new(output);

    protected abstract IBlobStore Store { get; }

    [Fact]
    public async Task Text_and_bytes_round_trip()
    {
        await Store.WriteTextAsync("jobs/a/latest", "step-00000010 ünïcode");
        Assert.Equal("step-00000010 ünïcode", await Store.ReadTextAsync("jobs/a/latest"));

        var data = TestData.Random(100_000, seed: 1);
        await Store.UploadAsync("jobs/a/blob.bin", new MemoryStream(data));
        Assert.Equal(data, await TestData.ReadAllAsync(Store, "jobs/a/blob.bin"));
        Assert.True(await Store.ExistsAsync("jobs/a/blob.bin"));
        Assert.False(await Store.ExistsAsync("jobs/a/other.bin"));
    }

    [Fact]
    public async Task Upload_starts_at_the_stream_position_and_empty_blobs_work()
    {
        var data = TestData.Random(1000, seed: 2);
        var stream = new MemoryStream(data) { Position = 100 };
        await Store.UploadAsync("p/part", stream);
        Assert.Equal(data[100..], await TestData.ReadAllAsync(Store, "p/part"));

        await Store.UploadAsync("p/empty", new MemoryStream());
        Assert.Empty(await TestData.ReadAllAsync(Store, "p/empty"));
        Assert.Contains(new BlobItem("p/empty", 0), await Store.ListAsync("p/"));
    }

    [Fact]
    public async Task Multi_block_blob_round_trips_through_a_file()
    {
        // 9 MiB + a bit: three 4 MiB blocks on Azure, the last one short.
        var data = TestData.Random(9 * 1024 * 1024 + 123, seed: 3);
        await Store.UploadAsync("jobs/a/checkpoints/step-00000001/model.safetensors", new MemoryStream(data));

        var folder = TestData.TempFolder("download");
        try
        {
            var path = Path.Combine(folder, "sub", "model.safetensors");
            await Store.DownloadToFileAsync("jobs/a/checkpoints/step-00000001/model.safetensors", path);
            Assert.Equal(data, await File.ReadAllBytesAsync(path));
            Assert.Equal(["model.safetensors"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        await AssertCommittedBlocksAsync("jobs/a/checkpoints/step-00000001/model.safetensors", [4 << 20, 4 << 20, (1 << 20) + 123]);
    }

    [Fact]
    public async Task Overwrite_replaces_the_content_and_the_size()
    {
        await Store.UploadAsync("o/x", new MemoryStream(TestData.Random(5000, seed: 4)));
        var second = TestData.Random(1234, seed: 5);
        await Store.UploadAsync("o/x", new MemoryStream(second));
        Assert.Equal(second, await TestData.ReadAllAsync(Store, "o/x"));
        Assert.Equal([new BlobItem("o/x", 1234)], await Store.ListAsync("o/"));
    }

    [Fact]
    public async Task List_filters_by_string_prefix_with_sizes_in_name_order()
    {
        foreach (var (name, size) in new[] { ("a/y/z", 3), ("b", 4), ("a/x", 1), ("ab", 2), ("a/y/w", 5) })
            await Store.UploadAsync(name, new MemoryStream(new byte[size]));

        Assert.Equal([new("a/x", 1), new("a/y/w", 5), new("a/y/z", 3)], await Store.ListAsync("a/"));
        Assert.Equal(["a/x", "a/y/w", "a/y/z", "ab"], (await Store.ListAsync("a")).Select(b => b.Name));
        Assert.Equal(["a/y/w", "a/y/z"], (await Store.ListAsync("a/y/")).Select(b => b.Name));
        Assert.Equal(5, (await Store.ListAsync("")).Count);
        Assert.Empty(await Store.ListAsync("nothing/"));
    }

    [Fact]
    public async Task Delete_removes_the_blob_and_reports_whether_it_existed()
    {
        await Store.WriteTextAsync("d/one", "1");
        await Store.WriteTextAsync("d/two", "2");
        Assert.True(await Store.DeleteAsync("d/one"));
        Assert.False(await Store.DeleteAsync("d/one"));
        Assert.False(await Store.ExistsAsync("d/one"));
        Assert.Equal(["d/two"], (await Store.ListAsync("d/")).Select(b => b.Name));
    }

    [Fact]
    public async Task Missing_blobs_throw_BlobNotFoundException_naming_the_blob_and_the_store()
    {
        var name = "jobs/none/checkpoints/latest";
        var read = await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.ReadTextAsync(name));
        Assert.Equal(name, read.BlobName);
        Assert.Contains(name, read.Message);
        Assert.Contains(Store.Description, read.Message);
        Assert.DoesNotContain('\n', read.Message);
        Assert.False(read.IsTransient);

        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(name));
        var folder = TestData.TempFolder("missing");
        try
        {
            var target = Path.Combine(folder, "latest");
            var download = await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.DownloadToFileAsync(name, target));
            Assert.Contains(name, download.Message);
            Assert.Empty(Directory.GetFileSystemEntries(folder)); // no partial or temp file left
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_cancelled_upload_of_a_new_blob_leaves_nothing_visible()
    {
        var data = TestData.Random(9 * 1024 * 1024, seed: 6);
        using var cts = new CancellationTokenSource();
        // Past the first 4 MiB block: on Azure one block is already staged when the upload stops.
        var stream = new TriggerStream(data, 5 * 1024 * 1024, cts.Cancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.UploadAsync("c/new.bin", stream, cts.Token));

        Assert.False(await Store.ExistsAsync("c/new.bin"));
        Assert.Empty(await Store.ListAsync("c/"));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync("c/new.bin"));
    }

    [Fact]
    public async Task A_cancelled_overwrite_keeps_the_old_content()
    {
        var old = TestData.Random(3000, seed: 7);
        await Store.UploadAsync("c/x.bin", new MemoryStream(old));
        using var cts = new CancellationTokenSource();
        var stream = new TriggerStream(TestData.Random(9 * 1024 * 1024, seed: 8), 5 * 1024 * 1024, cts.Cancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.UploadAsync("c/x.bin", stream, cts.Token));

        Assert.Equal(old, await TestData.ReadAllAsync(Store, "c/x.bin"));
        Assert.Equal([new BlobItem("c/x.bin", 3000)], await Store.ListAsync("c/"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("../escape")]
    [InlineData("a/.hidden")]
    [InlineData("a\\b")]
    public async Task Invalid_names_are_refused(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.WriteTextAsync(name, "x"));
    }

    /// <summary>Store-specific check of how a big upload was split; the file system has no blocks.</summary>
    protected virtual Task AssertCommittedBlocksAsync(string name, long[] blockSizes) => Task.CompletedTask;
}

public sealed class FileSystemBlobStoreTests : BlobStoreContractTests, IDisposable
{
    private readonly string _root = TestData.TempFolder("fsstore");

    public FileSystemBlobStoreTests(ITestOutputHelper output) : base(output) =>
        Store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { Root = _root }, Logger);

    protected override IBlobStore Store { get; }

    [Fact]
    public async Task Cancelled_uploads_leave_no_temp_files_and_deletes_prune_empty_folders()
    {
        using var cts = new CancellationTokenSource();
        var stream = new TriggerStream(TestData.Random(3 << 20, seed: 9), 1 << 20, cts.Cancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.UploadAsync("j/c/s/file", stream, cts.Token));
        Assert.Empty(Directory.GetFiles(_root, "*", SearchOption.AllDirectories));

        await Store.WriteTextAsync("j/c/s/file", "x");
        await Store.WriteTextAsync("j/c/keep", "y");
        Assert.True(await Store.DeleteAsync("j/c/s/file"));
        Assert.False(Directory.Exists(Path.Combine(_root, "j", "c", "s")));
        Assert.True(File.Exists(Path.Combine(_root, "j", "c", "keep")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreTests : BlobStoreContractTests
{
    private readonly AzureBlobStoreOptions _options;

    public AzureBlobStoreTests(AzuriteFixture azurite, ITestOutputHelper output) : base(output)
    {
        _options = new AzureBlobStoreOptions
        {
            ConnectionString = azurite.Server.ConnectionString,
            Container = $"t{Guid.NewGuid():N}",
            Prefix = "tenant",
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        Store = new AzureBlobStore(_options, Logger);
    }

    protected override IBlobStore Store { get; }

    protected override async Task AssertCommittedBlocksAsync(string name, long[] blockSizes)
    {
        // The store's prefix is part of the real blob name.
        var blob = new BlobContainerClient(_options.ConnectionString, _options.Container).GetBlockBlobClient($"tenant/{name}");
        var list = (await blob.GetBlockListAsync()).Value;
        Assert.Equal(blockSizes, list.CommittedBlocks.Select(b => b.SizeLong));
        Assert.Empty(list.UncommittedBlocks);
    }

    [Fact]
    public async Task The_prefix_is_applied_in_the_container_and_hidden_from_names()
    {
        await Store.WriteTextAsync("x/y", "1");
        var raw = new BlobContainerClient(_options.ConnectionString, _options.Container);
        Assert.True((await raw.GetBlobClient("tenant/x/y").ExistsAsync()).Value);
        Assert.Equal(["x/y"], (await Store.ListAsync("")).Select(b => b.Name));
        Assert.Contains(_options.Container, Store.Description);
        Assert.DoesNotContain("AccountKey", Store.Description);
    }
}
