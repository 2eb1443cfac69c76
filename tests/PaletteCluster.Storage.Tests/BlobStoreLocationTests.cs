using Azure.Storage.Blobs;

namespace PaletteCluster.Storage.Tests;

/// <summary>The store syntax shared by --checkpoint-store, shards build --output and train --data.</summary>
public sealed class BlobStoreLocationTests
{
    private const string Connection = "UseDevelopmentStorage=true";

    private static Func<string, string?> Env(string? connection) =>
        name => name == BlobStoreLocation.ConnectionStringVariable ? connection : null;

    [Fact]
    public void A_plain_path_is_a_folder()
    {
        var location = BlobStoreLocation.Parse("runs/ckpt", "palette-checkpoints", Env(null));
        Assert.Equal(BlobStoreKind.FileSystem, location.Kind);
        Assert.Equal(Path.GetFullPath("runs/ckpt"), location.Folder);
        Assert.Equal(location.Folder, location.ToString());
    }

    [Fact]
    public void Azure_scheme_names_container_and_prefix_and_takes_the_account_from_the_environment()
    {
        var location = BlobStoreLocation.Parse("azure:datasets/photos/v2/", "unused", Env(Connection));
        Assert.Equal((BlobStoreKind.Azure, "datasets", "photos/v2", Connection),
            (location.Kind, location.Container, location.Prefix, location.ConnectionString));
        Assert.Equal("azure:datasets/photos/v2", location.Display);

        var bare = BlobStoreLocation.Parse("azure:datasets", "unused", Env(Connection));
        Assert.Equal(("datasets", ""), (bare.Container, bare.Prefix));
    }

    [Fact]
    public void A_connection_string_means_the_default_container_and_is_never_displayed()
    {
        const string secret = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net";
        var location = BlobStoreLocation.Parse(secret, "palette-checkpoints", Env(null));
        Assert.Equal((BlobStoreKind.Azure, "palette-checkpoints", "", secret),
            (location.Kind, location.Container, location.Prefix, location.ConnectionString));
        Assert.DoesNotContain("c2VjcmV0", location.ToString());
        Assert.True(BlobStoreLocation.IsAzureConnectionString(Connection));
    }

    [Theory]
    [InlineData("azure:", "no container")]
    [InlineData("azure:/prefix", "no container")]
    [InlineData("azure:Upper", "not a valid Azure container name")]
    [InlineData("azure:ab", "not a valid Azure container name")]
    [InlineData("azure:a--b", "not a valid Azure container name")]
    [InlineData("azure:data/a//b", "bad prefix")]
    [InlineData("azure:data/.hidden", "bad prefix")]
    [InlineData("azur:data", "unknown scheme 'azur:'")]
    [InlineData("s3://bucket/x", "unknown scheme 's3:'")]
    public void Bad_syntax_is_one_line_naming_the_value(string value, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => BlobStoreLocation.Parse(value, "palette-shards", Env(Connection)));
        Assert.Contains(expected, e.Message);
        Assert.Contains(value.TrimEnd('/'), e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_url_is_refused_without_echoing_its_sas_token()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            BlobStoreLocation.Parse("https://acct.blob.core.windows.net/data?sv=2024&sig=SECRET", "palette-shards", Env(Connection)));
        Assert.Contains("unknown scheme 'https:'", e.Message);
        Assert.Contains("https://acct.blob.core.windows.net/data", e.Message);
        Assert.DoesNotContain("SECRET", e.Message);
    }

    [Fact]
    public void Azure_scheme_without_a_connection_string_names_the_variable()
    {
        var e = Assert.Throws<ArgumentException>(() => BlobStoreLocation.Parse("azure:data", "palette-shards", Env(null)));
        Assert.Contains("$" + BlobStoreLocation.ConnectionStringVariable, e.Message);
        Assert.Contains("azure:data", e.Message);
    }

    [Fact]
    public void A_malformed_connection_string_is_an_argument_error_without_the_secret()
    {
        var location = BlobStoreLocation.Parse("azure:data", "palette-shards", Env("DefaultEndpointsProtocol=https;AccountKey=SECRET"));
        var e = Assert.Throws<ArgumentException>(() => location.Open(new TestLogger()));
        Assert.Contains("azure:data", e.Message);
        Assert.DoesNotContain("SECRET", e.Message);
    }

    [Fact]
    public async Task A_folder_opens_a_retrying_file_system_store()
    {
        var folder = TestData.TempFolder("location");
        try
        {
            var store = BlobStoreLocation.Parse(folder, "palette-shards", Env(null)).Open(new TestLogger());
            Assert.IsType<RetryingBlobStore>(store);
            await store.WriteTextAsync("a/b", "x");
            Assert.Equal("x", await File.ReadAllTextAsync(Path.Combine(folder, "a", "b")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>Opening an <c>azure:</c> location against Azurite: writers create the container, readers never do.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobStoreLocationAzuriteTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private Func<string, string?> Env => name => name == BlobStoreLocation.ConnectionStringVariable ? azurite.Server.ConnectionString : null;

    [Fact]
    public async Task A_writer_creates_the_container_and_writes_under_the_prefix()
    {
        var container = $"loc-{Guid.NewGuid():N}"[..20];
        var store = BlobStoreLocation.Parse($"azure:{container}/team/a", "unused", Env).Open(new TestLogger(output));
        await store.WriteTextAsync("latest", "step-1");
        var blob = new BlobContainerClient(azurite.Server.ConnectionString, container).GetBlobClient("team/a/latest");
        Assert.True((await blob.ExistsAsync()).Value);
    }

    [Fact]
    public async Task A_reader_reports_a_missing_container_by_name_and_does_not_create_it()
    {
        var container = $"missing-{Guid.NewGuid():N}"[..20];
        var store = BlobStoreLocation.Parse($"azure:{container}", "unused", Env)
            .Open(new TestLogger(output), new BlobRetryOptions { GiveUpAfter = TimeSpan.FromSeconds(5) }, createContainer: false);
        var e = await Assert.ThrowsAsync<BlobStoreException>(() => store.ReadTextAsync("manifest.json"));
        Assert.Contains($"'{container}'", e.Message);
        Assert.Contains("ContainerNotFound", e.Message);
        Assert.False((await new BlobContainerClient(azurite.Server.ConnectionString, container).ExistsAsync()).Value);
    }
}
