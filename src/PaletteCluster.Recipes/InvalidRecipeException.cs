namespace PaletteCluster.Recipes;

/// <summary>A recipe that cannot be trained; the message lists every problem, one per line, each with its field.</summary>
public sealed class InvalidRecipeException(IReadOnlyList<RecipeProblem> problems)
    : ArgumentException(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<RecipeProblem> Problems { get; } = problems;
}
