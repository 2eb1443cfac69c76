namespace PaletteCluster.Abstractions;

/// <summary>A request the job's current state does not allow (e.g. resuming a completed job). Nothing was changed.</summary>
[GenerateSerializer]
public sealed class InvalidJobTransitionException : InvalidOperationException
{
    public InvalidJobTransitionException(string jobId, JobState from, string action)
        : base($"job '{jobId}' is {from.ToString().ToLowerInvariant()}: cannot {action}")
    {
        JobId = jobId;
        From = from;
        Action = action;
    }

    [Id(0)] public string JobId { get; }
    [Id(1)] public JobState From { get; }
    [Id(2)] public string Action { get; }
}
