using System.Text.Json.Serialization;
using PaletteCluster.Recipes;

namespace PaletteCluster.Abstractions;

/// <summary>
/// What a user submits: a name, the data, how many workers, and the <see cref="TrainingRecipe"/>. Read from a job
/// spec file once, on the API host (PaletteCluster.Api.Specs.JobSpecReader); workers receive it validated.
/// Persisted (grain state JSON) in the flat shape it always had: see <see cref="JobSpecJsonConverter"/>.
/// </summary>
[GenerateSerializer, Immutable]
[JsonConverter(typeof(JobSpecJsonConverter))]
public sealed record JobSpec
{
    public const string NameField = "name";
    public const string DataField = "data";
    public const string WorkersField = "workers";

    /// <summary>A human name; the job id is derived from it when the user gives none.</summary>
    [Id(0)] public string Name { get; init; } = "";
    /// <summary>Image folder or shard folder (palette shards build), or a shard set in a blob store, visible to every worker.</summary>
    [Id(1)] public string Data { get; init; } = "";
    /// <summary>Workers the job wants; one until multi-worker averaging lands (roadmap).</summary>
    [Id(2)] public int Workers { get; init; } = 1;
    [Id(3), Immutable] public TrainingRecipe Recipe { get; init; } = new();

    /// <summary>Every problem of the job fields and of the recipe, each with its field; empty when the job can run.</summary>
    public IReadOnlyList<RecipeProblem> Validate()
    {
        var problems = new List<RecipeProblem>();
        if (string.IsNullOrWhiteSpace(Data)) problems.Add(new RecipeProblem(DataField, "must not be empty"));
        if (Workers < 1) problems.Add(new RecipeProblem(WorkersField, $"must be at least 1, got {Workers}"));
        else if (Workers != 1) problems.Add(new RecipeProblem(WorkersField, $"multi-worker training is not available yet: workers must be 1, got {Workers}"));
        problems.AddRange(Recipe.Validate());
        return problems;
    }
}
