using PaletteCluster.Abstractions;

namespace PaletteCluster.Api.Specs;

/// <summary>
/// The spec's data folder exists where the API runs. Workers read the same path, so on a cluster it must be shared
/// storage mounted at the same place everywhere; a folder missing here is missing for them too.
/// </summary>
public sealed class DataPathValidator : IJobSpecValidator
{
    public IReadOnlyList<string> Validate(JobSpec spec)
    {
        if (!Path.IsPathRooted(spec.Data))
            return [$"data: '{spec.Data}' is a relative path; give an absolute one (the API does not know your working directory)"];
        if (File.Exists(spec.Data))
            return [$"data: '{spec.Data}' is a file; give the folder of images or shards"];
        return Directory.Exists(spec.Data) ? [] : [$"data: folder '{spec.Data}' does not exist"];
    }
}
