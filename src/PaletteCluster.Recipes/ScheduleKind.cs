namespace PaletteCluster.Recipes;

/// <summary>How the betas of a noise schedule (PaletteCluster.Diffusion.NoiseSchedule) evolve over its steps.</summary>
public enum ScheduleKind
{
    /// <summary>beta rises linearly from Start to End.</summary>
    Linear,
    /// <summary>sqrt(beta) rises linearly from sqrt(Start) to sqrt(End).</summary>
    Quadratic,
    /// <summary>Nichol and Dhariwal's cosine gamma curve (offset s = 0.008, betas clipped at 0.999); Start/End unused.</summary>
    Cosine,
    /// <summary>DDPM warmup: beta = End, except a linear rise from Start over the first 10% of steps.</summary>
    Warmup10,
    /// <summary>DDPM warmup: beta = End, except a linear rise from Start over the first 50% of steps.</summary>
    Warmup50,
    /// <summary>beta = End at every step.</summary>
    Constant,
}
