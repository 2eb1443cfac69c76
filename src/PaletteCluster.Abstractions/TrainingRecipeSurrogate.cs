using System.Text.Json;
using PaletteCluster.Recipes;

namespace PaletteCluster.Abstractions;

/// <summary>
/// How Orleans carries a <see cref="TrainingRecipe"/> (which, to stay free of Orleans, has no serializer attributes):
/// as its JSON, which tolerates fields added by newer versions. Recipes travel once per assignment, so size and speed
/// do not matter here.
/// </summary>
[GenerateSerializer, Immutable]
public struct TrainingRecipeSurrogate
{
    [Id(0)] public string Json;
}

[RegisterConverter]
public sealed class TrainingRecipeSurrogateConverter : IConverter<TrainingRecipe, TrainingRecipeSurrogate>
{
    public TrainingRecipe ConvertFromSurrogate(in TrainingRecipeSurrogate surrogate) =>
        JsonSerializer.Deserialize<TrainingRecipe>(surrogate.Json) ?? new TrainingRecipe();

    public TrainingRecipeSurrogate ConvertToSurrogate(in TrainingRecipe value) => new() { Json = JsonSerializer.Serialize(value) };
}
