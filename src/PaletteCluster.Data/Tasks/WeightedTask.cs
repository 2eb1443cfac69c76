namespace PaletteCluster.Data.Tasks;

/// <summary>A task and its relative sampling weight in a <see cref="TaskMix"/>.</summary>
public sealed record WeightedTask(IImageTask Task, double Weight);
