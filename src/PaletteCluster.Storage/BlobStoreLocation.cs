using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace PaletteCluster.Storage;

/// <summary>Which kind of store a <see cref="BlobStoreLocation"/> names.</summary>
public enum BlobStoreKind
{
    /// <summary>A local (or mounted) folder: <see cref="FileSystemBlobStore"/>.</summary>
    FileSystem,

    /// <summary>An Azure Storage container, optionally under a name prefix: <see cref="AzureBlobStore"/>.</summary>
    Azure,
}

/// <summary>
/// A blob store named by one command-line value, the syntax shared by every option that takes a store
/// (<c>palette worker --checkpoint-store</c>, <c>palette shards build --output</c>, <c>palette train --data</c>):
/// <list type="bullet">
/// <item><c>azure:&lt;container&gt;[/&lt;prefix&gt;]</c>: a container of the account whose connection string is in
/// <c>$AZURE_STORAGE_CONNECTION_STRING</c> (keeps the secret off the command line);</item>
/// <item>an Azure connection string (<c>DefaultEndpointsProtocol=…</c> or <c>UseDevelopmentStorage=true</c>): the
/// caller's default container of that account;</item>
/// <item>anything else: a folder.</item>
/// </list>
/// Any other <c>scheme:</c> value (including http(s) URLs) is refused rather than taken for a folder, so a typo
/// never silently writes to a local folder named <c>azur:x</c>.
/// </summary>
public sealed partial record BlobStoreLocation
{
    public const string AzureScheme = "azure:";

    /// <summary>The environment variable <c>azure:</c> locations take the account's connection string from (the Azure CLI's name).</summary>
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    /// <summary>The container a bare connection string means for shard sets (job specs' and `shards build`'s data).</summary>
    public const string DefaultShardContainer = "palette-shards";

    private BlobStoreLocation(BlobStoreKind kind, string folder, string connectionString, string container, string prefix, string display)
    {
        Kind = kind;
        Folder = folder;
        ConnectionString = connectionString;
        Container = container;
        Prefix = prefix;
        Display = display;
    }

    public BlobStoreKind Kind { get; }

    /// <summary>Absolute folder of a <see cref="BlobStoreKind.FileSystem"/> location; "" otherwise.</summary>
    public string Folder { get; }

    /// <summary>Connection string of an <see cref="BlobStoreKind.Azure"/> location; "" otherwise. Never put it in messages.</summary>
    public string ConnectionString { get; }

    /// <summary>Container of an <see cref="BlobStoreKind.Azure"/> location.</summary>
    public string Container { get; }

    /// <summary>Blob name prefix inside the container, without a trailing '/'; "" for none.</summary>
    public string Prefix { get; }

    /// <summary>The location for messages and logs, without secrets: the folder, or <c>azure:container/prefix</c>.</summary>
    public string Display { get; }

    public override string ToString() => Display;

    public static bool IsAzureConnectionString(string value) =>
        value.StartsWith("DefaultEndpointsProtocol=", StringComparison.OrdinalIgnoreCase)
        || value.StartsWith("UseDevelopmentStorage=", StringComparison.OrdinalIgnoreCase)
        || value.StartsWith("BlobEndpoint=", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <paramref name="value"/> (syntax in the type's summary).</summary>
    /// <param name="defaultAzureContainer">The container a bare connection string means.</param>
    /// <param name="environment">Reads environment variables; defaults to the process environment (tests pass their own).</param>
    /// <exception cref="ArgumentException">bad syntax, a bad container or prefix, or no connection string for <c>azure:</c>; the message names the value.</exception>
    public static BlobStoreLocation Parse(string value, string defaultAzureContainer, Func<string, string?>? environment = null)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException("A blob store location must not be empty.", nameof(value));
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultAzureContainer);
        environment ??= Environment.GetEnvironmentVariable;

        if (IsAzureConnectionString(value))
        {
            CheckContainerName(defaultAzureContainer, "the default container");
            return new BlobStoreLocation(BlobStoreKind.Azure, "", value, defaultAzureContainer, "",
                $"{AzureScheme}{defaultAzureContainer} (account from the given connection string)");
        }
        if (value.StartsWith(AzureScheme, StringComparison.OrdinalIgnoreCase))
            return ParseAzure(value, environment);
        if (SchemePattern().Match(value) is { Success: true } scheme)
            throw new ArgumentException(
                $"blob store location '{Redact(value)}': unknown scheme '{scheme.Value}'; expected a folder, " +
                $"{AzureScheme}<container>[/<prefix>] (account from ${ConnectionStringVariable}) or an Azure connection string");

        return new BlobStoreLocation(BlobStoreKind.FileSystem, Path.GetFullPath(value), "", "", "", Path.GetFullPath(value));
    }

    /// <summary>
    /// Opens the store behind a <see cref="RetryingBlobStore"/> (default <see cref="BlobRetryOptions"/>: outages of up
    /// to 30 minutes are waited out and logged).
    /// </summary>
    /// <param name="createContainer">Create a missing Azure container on first use (writers); readers pass false so a typo in the container name is reported, not created.</param>
    /// <exception cref="ArgumentException">the connection string is malformed.</exception>
    public IBlobStore Open(ILogger logger, BlobRetryOptions? retry = null, bool createContainer = true)
    {
        ArgumentNullException.ThrowIfNull(logger);
        IBlobStore inner = Kind switch
        {
            BlobStoreKind.FileSystem => new FileSystemBlobStore(new FileSystemBlobStoreOptions { Root = Folder }, logger),
            _ => OpenAzure(logger, createContainer),
        };
        return new RetryingBlobStore(inner, retry ?? new BlobRetryOptions(), logger);
    }

    private AzureBlobStore OpenAzure(ILogger logger, bool createContainer)
    {
        try
        {
            return new AzureBlobStore(new AzureBlobStoreOptions
            {
                ConnectionString = ConnectionString,
                Container = Container,
                Prefix = Prefix,
                CreateContainerIfMissing = createContainer,
            }, logger);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or UriFormatException)
        {
            // The SDK's messages do not echo the connection string, but keep only their first line.
            throw new ArgumentException($"blob store location {Display}: the Azure connection string is invalid ({ex.Message.Split('\n')[0].Trim()})", ex);
        }
    }

    private static BlobStoreLocation ParseAzure(string value, Func<string, string?> environment)
    {
        var rest = value[AzureScheme.Length..];
        var slash = rest.IndexOf('/');
        var container = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].TrimEnd('/');
        var display = $"{AzureScheme}{rest.TrimEnd('/')}";
        if (container.Length == 0)
            throw new ArgumentException($"blob store location '{value}': no container; expected {AzureScheme}<container>[/<prefix>]");
        CheckContainerName(container, $"blob store location '{value}'");
        if (prefix.Length > 0)
        {
            try
            {
                BlobNames.Validate(prefix, "prefix");
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"blob store location '{value}': bad prefix: {ex.Message}", ex);
            }
        }
        var connection = environment(ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(connection))
            throw new ArgumentException(
                $"blob store location '{value}' needs the storage account's connection string in ${ConnectionStringVariable} " +
                "(UseDevelopmentStorage=true for a local Azurite)");
        return new BlobStoreLocation(BlobStoreKind.Azure, "", connection, container, prefix, display);
    }

    /// <summary>Azure's rules: 3-63 characters, lowercase letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    private static void CheckContainerName(string container, string what)
    {
        if (!ContainerPattern().IsMatch(container) || container.Contains("--", StringComparison.Ordinal))
            throw new ArgumentException(
                $"{what}: '{container}' is not a valid Azure container name (3-63 lowercase letters, digits and single hyphens, " +
                "starting and ending with a letter or digit)");
    }

    /// <summary>A URL may carry a SAS token: show only its scheme and host.</summary>
    private static string Redact(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Query.Length > 0 ? uri.GetLeftPart(UriPartial.Path) : value;

    // Two or more characters before ':' so a Windows drive letter ("C:\data") still reads as a folder.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]+:")]
    private static partial Regex SchemePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerPattern();
}
