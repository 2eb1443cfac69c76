using PaletteCluster.Abstractions;

namespace PaletteCluster.Api.Specs;

/// <summary>
/// A check of a spec beyond its own rules (<see cref="JobSpec.Validate"/>), about the world it runs in: the data
/// folder exists, holds images. The job API runs every registered validator after reading a spec and rejects the job
/// if any reports a problem.
/// </summary>
public interface IJobSpecValidator
{
    /// <returns>One line per problem, starting with the key it concerns ("data: ..."); empty when the spec is fine.</returns>
    IReadOnlyList<string> Validate(JobSpec spec);
}
