namespace PaletteCluster.Data.Tasks;

/// <summary>A sample from a <see cref="TaskMix"/>: the pair (always with a mask) and which task made it.</summary>
public sealed record MixedSample(TaskSample Sample, int TaskIndex, string TaskName);
