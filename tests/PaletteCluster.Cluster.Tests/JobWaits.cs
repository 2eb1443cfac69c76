using PaletteCluster.Abstractions;

namespace PaletteCluster.Cluster.Tests;

/// <summary>Polls a job grain until its status meets a condition; fails (never hangs) after three minutes.</summary>
internal static class JobWaits
{
    public static async Task<JobStatus> Until(IJobGrain job, Func<JobStatus, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            var status = (await job.GetStatus())!;
            if (condition(status)) return status;
            await Task.Delay(100);
        }
        throw new TimeoutException($"waited 3 minutes for {what}; job is {await job.GetStatus()}");
    }
}
