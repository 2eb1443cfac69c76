namespace PaletteCluster.Recipes;

/// <summary>One thing wrong with a recipe or job spec: the field (its spec-file key, e.g. "batch_size") and what is wrong.</summary>
public sealed record RecipeProblem(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
