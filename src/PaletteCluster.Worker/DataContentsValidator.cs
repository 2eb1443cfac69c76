using PaletteCluster.Abstractions;
using PaletteCluster.Api.Specs;
using PaletteCluster.Data.Shards;

namespace PaletteCluster.Worker;

/// <summary>
/// A job's data folder, where the API can see it, has JPEG/PNG images or readable shards. Runs in the API before
/// anything is created, so an empty or broken folder is rejected at submit time rather than failing on a worker
/// later. (The recipe's own rules are <see cref="JobSpec.Validate"/>, checked when the spec is read.)
/// </summary>
public sealed class DataContentsValidator : IJobSpecValidator
{
    public IReadOnlyList<string> Validate(JobSpec spec)
    {
        if (!Directory.Exists(spec.Data)) return [];
        try
        {
            return ShardImageSource.Open(spec.Data).Count == 0 ? [$"data: '{spec.Data}' has no JPEG or PNG images"] : [];
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ShardIntegrityException)
        {
            return [$"data: '{spec.Data}' cannot be read: {e.Message}"];
        }
    }
}
