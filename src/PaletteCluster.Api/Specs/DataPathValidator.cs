using PaletteCluster.Abstractions;
using PaletteCluster.Storage;

namespace PaletteCluster.Api.Specs;

/// <summary>
/// The spec's data folder exists where the API runs. Workers read the same path, so on a cluster it must be shared
/// storage mounted at the same place everywhere; a folder missing here is missing for them too. A shard set in a blob
/// store (<c>azure:&lt;container&gt;[/&lt;prefix&gt;]</c>) is checked for syntax only: workers download it with their
/// own credentials.
/// </summary>
public sealed class DataPathValidator : IJobSpecValidator
{
    public IReadOnlyList<string> Validate(JobSpec spec)
    {
        BlobStoreLocation location;
        try
        {
            // The API host need not hold the account's connection string: a placeholder lets the syntax be checked.
            location = BlobStoreLocation.Parse(spec.Data, BlobStoreLocation.DefaultShardContainer, _ => "UseDevelopmentStorage=true");
        }
        catch (ArgumentException e)
        {
            return [$"data: {e.Message}"];
        }
        if (location.Kind != BlobStoreKind.FileSystem) return [];
        if (!Path.IsPathRooted(spec.Data))
            return [$"data: '{spec.Data}' is a relative path; give an absolute one (the API does not know your working directory)"];
        if (File.Exists(spec.Data))
            return [$"data: '{spec.Data}' is a file; give the folder of images or shards"];
        return Directory.Exists(spec.Data) ? [] : [$"data: folder '{spec.Data}' does not exist"];
    }
}
