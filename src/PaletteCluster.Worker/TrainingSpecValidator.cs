using PaletteCluster.Abstractions;
using PaletteCluster.Api.Specs;
using PaletteCluster.Data.Shards;

namespace PaletteCluster.Worker;

/// <summary>
/// The checks of a job spec that need the training stack: the trainer's own config validation (task mix and
/// noise schedule syntax, ranges) and a data folder that has images or shards. Runs in the API before anything
/// is created, so a bad spec is rejected at submit time rather than failing on a worker later.
/// </summary>
public sealed class TrainingSpecValidator : IJobSpecValidator
{
    public IReadOnlyList<string> Validate(JobSpec spec)
    {
        var problems = new List<string>();
        try
        {
            JobSpecMapping.ToTrainConfig(spec).Validate();
        }
        catch (ArgumentException e)
        {
            problems.Add(e.Message);
        }
        if (Directory.Exists(spec.Data))
        {
            try
            {
                if (ShardImageSource.Open(spec.Data).Count == 0) problems.Add($"data: '{spec.Data}' has no JPEG or PNG images");
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ShardIntegrityException)
            {
                problems.Add($"data: '{spec.Data}' cannot be read: {e.Message}");
            }
        }
        return problems;
    }
}
