using Azure.Storage.Blobs;
using PaletteCluster.Storage;
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

    [Fact]
    public void BuildIntoAzuriteUploadsOnceVerifiesAndTrains()
    {
        using var azurite = new AzuriteServer();
        var root = RealPhotos.NewTempDir("pc-shards-azure");
        var input = RealPhotos.CopyTo(Path.Combine(root, "in"), 4);
        File.WriteAllBytes(Path.Combine(input, "empty.jpg"), []);
        var env = new Dictionary<string, string>
        {
            [BlobStoreLocation.ConnectionStringVariable] = azurite.ConnectionString,
            ["PALETTE_DATA_CACHE"] = Path.Combine(root, "cache"),
        };
        const string output = "azure:datasets/photos/v1";

        var first = PaletteProcess.Run(env, "shards", "build", "--input", input, "--output", output, "--shard-size-mb", "1");
        Assert.True(first.ExitCode == 0, first.All);
        Assert.Contains("Uploaded ", first.Stdout);
        Assert.Contains("Wrote 4 records", first.Stdout);
        Assert.Contains("skipped empty.jpg: ZeroByte", first.Stdout);
        var container = new BlobContainerClient(azurite.ConnectionString, "datasets");
        var blobs = container.GetBlobs(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "photos/v1/", CancellationToken.None).ToDictionary(b => b.Name, b => b.Properties.ETag);
        Assert.Contains("photos/v1/manifest.json", blobs.Keys);
        Assert.Contains("photos/v1/report.json", blobs.Keys);
        Assert.Contains("photos/v1/shard-000000.tar", blobs.Keys);

        var again = PaletteProcess.Run(env, "shards", "build", "--input", input, "--output", output, "--shard-size-mb", "1");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Contains("Up to date", again.Stdout);
        Assert.Equal(blobs, container.GetBlobs(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "photos/v1/", CancellationToken.None).ToDictionary(b => b.Name, b => b.Properties.ETag));

        var verify = PaletteProcess.Run(env, "shards", "verify", output);
        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.Contains($"OK {output}: 4 records", verify.Stdout);

        // Training downloads the set into its own cache, checks every shard's hash, and trains on it.
        var trainCache = Path.Combine(root, "train-cache");
        var run = Path.Combine(root, "run");
        var train = PaletteProcess.Run(env, "train", "--data", output, "--data-cache", trainCache, "--out", run, "--steps", "2",
            "--checkpoint-every", "2", "--image-size", "32", "--batch", "2", "--samples", "0", "--device", "cpu");
        Assert.True(train.ExitCode == 0, train.All);
        Assert.True(Directory.Exists(Path.Combine(run, "checkpoints", "step-00000002")));
        Assert.NotEmpty(Directory.GetFiles(trainCache, "shard-*.tar", SearchOption.AllDirectories));
    }

    [Fact]
    public void BadOrUnreachableOutputIsOneLineAndExitCode2()
    {
        var root = RealPhotos.NewTempDir("pc-shards-bad-output");
        var input = RealPhotos.CopyTo(Path.Combine(root, "in"), 1);
        var noAccount = new Dictionary<string, string> { [BlobStoreLocation.ConnectionStringVariable] = "" };

        var typo = PaletteProcess.Run(noAccount, "shards", "build", "--input", input, "--output", "azur:datasets");
        Assert.Equal(2, typo.ExitCode);
        Assert.Equal(["error: blob store location 'azur:datasets': unknown scheme 'azur:'"],
            typo.Stderr.Trim().Split('\n').Select(l => l[..l.IndexOf(';')]));
        Assert.False(typo.HasStackTrace, typo.All);

        var noConnection = PaletteProcess.Run(noAccount, "shards", "build", "--input", input, "--output", "azure:datasets");
        Assert.Equal(2, noConnection.ExitCode);
        Assert.Single(noConnection.Stderr.Trim().Split('\n'));
        Assert.Contains("$" + BlobStoreLocation.ConnectionStringVariable, noConnection.Stderr);

        // A store nothing answers for: retried for --store-timeout, then one error line naming it; nothing built.
        int port = ServerScript.FreePort();
        var unreachable = new Dictionary<string, string>
        {
            [BlobStoreLocation.ConnectionStringVariable] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
                $"AccountKey={Convert.ToBase64String(new byte[64])};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
            ["PALETTE_DATA_CACHE"] = Path.Combine(root, "cache"),
        };
        var down = PaletteProcess.Run(unreachable, "shards", "build", "--input", input, "--output", "azure:datasets", "--store-timeout", "1");
        Assert.Equal(2, down.ExitCode);
        var last = down.Stderr.Trim().Split('\n')[^1];
        Assert.StartsWith("error: blob store azure container 'datasets' at http://127.0.0.1:" + port, last);
        Assert.False(down.HasStackTrace, down.All);
        Assert.False(Directory.Exists(Path.Combine(root, "cache")), "nothing is staged when the store cannot be reached");
    }
}
