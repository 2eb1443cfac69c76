using PaletteCluster.Abstractions;

namespace PaletteCluster.Api.Specs;

/// <summary>
/// A check of a spec that reading alone cannot do (task and schedule syntax, the data folder's contents). The job
/// API runs every registered validator after <see cref="JobSpecReader"/> and rejects the job if any reports a problem.
/// </summary>
public interface IJobSpecValidator
{
    /// <returns>One line per problem, starting with the key it concerns ("data: ..."); empty when the spec is fine.</returns>
    IReadOnlyList<string> Validate(JobSpec spec);
}
