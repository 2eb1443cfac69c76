namespace PaletteCluster.Training.Optimization;

/// <summary>
/// Palette's schedule: linear warmup from 0 to the base rate over <see cref="WarmupSteps"/> updates, then constant.
/// A pure function of the step, so resuming needs only the step count.
/// </summary>
public sealed record WarmupLearningRate(double BaseRate, long WarmupSteps)
{
    /// <summary>Rate for the update that turns step <paramref name="step"/> (0-based) into step+1.</summary>
    public double At(long step) =>
        WarmupSteps <= 0 ? BaseRate : BaseRate * Math.Min(1.0, (step + 1) / (double)WarmupSteps);
}
