using Google.Protobuf.WellKnownTypes;
using PaletteCluster.Api.V1;
using PaletteCluster.Cli.Commands;
using WorkerView = PaletteCluster.Api.V1.Worker;

namespace PaletteCluster.Cli.Tests;

/// <summary>How <c>palette status</c> and <c>palette workers</c> print, without a cluster.</summary>
public class JobTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static Job Job(string id, JobState state, long step, double? loss = null)
    {
        var job = new Job
        {
            JobId = id, State = state, Step = step, Spec = new JobSpec { Name = id, Data = "/data", Recipe = new Recipe { Steps = 1000 } },
            UpdatedAt = Timestamp.FromDateTimeOffset(Now.AddSeconds(-90)),
            CreatedAt = Timestamp.FromDateTimeOffset(Now.AddHours(-3)),
        };
        if (loss is { } l) job.Loss = l;
        return job;
    }

    [Fact]
    public void Jobs_table_aligns_columns_and_shows_dashes_for_what_is_not_known_yet()
    {
        var running = Job("a-long-job-name", JobState.Running, 420, loss: 0.123456);
        running.ImagesPerSecond = 31.25;
        running.Workers.Add("w1");

        var lines = JobTable.Jobs([running, Job("b", JobState.Pending, 0)], Now).Split(Environment.NewLine);

        Assert.Equal(3, lines.Length);
        Assert.Equal("ID               STATE    STEP      LOSS    IMG/S  WORKERS  UPDATED", lines[0]);
        Assert.Equal("a-long-job-name  running  420/1000  0.1235  31.2   w1       1m ago", lines[1]);
        Assert.Equal("b                pending  0/1000    -       -      -        1m ago", lines[2]);
    }

    [Fact]
    public void Detail_names_the_error_of_a_failed_job_and_its_recipe()
    {
        var failed = Job("f", JobState.Failed, 30);
        failed.Error = "loss diverged";

        var text = JobTable.Detail(failed, Now);

        Assert.Contains("state:         failed", text);
        Assert.Contains("error:         loss diverged", text);
        Assert.Contains("created:       3h ago", text);
        Assert.Contains("recipe:", text);
    }

    [Fact]
    public void Json_uses_the_proto_field_names_and_lists_are_arrays()
    {
        var json = JobTable.ToJson([Job("x", JobState.Completed, 1000)]);

        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var job = Assert.Single(doc.RootElement.EnumerateArray().ToList());
        Assert.Equal("x", job.GetProperty("job_id").GetString());
        Assert.Equal("JOB_STATE_COMPLETED", job.GetProperty("state").GetString());
        Assert.Equal("1000", job.GetProperty("spec").GetProperty("recipe").GetProperty("steps").GetString()); // proto3 JSON writes int64 as text
        Assert.Equal("[]", JobTable.ToJson(Array.Empty<Job>()));
    }

    [Theory]
    [InlineData(5, "5s ago")]
    [InlineData(125, "2m ago")]
    [InlineData(7200, "2h ago")]
    [InlineData(3 * 86400, "3d ago")]
    [InlineData(-10, "0s ago")]
    public void Ages_are_short(int secondsAgo, string expected) =>
        Assert.Equal(expected, JobTable.Ago(Now.AddSeconds(-secondsAgo), Now));

    [Fact]
    public void Workers_table_shows_device_and_a_one_line_error()
    {
        var worker = new WorkerView
        {
            WorkerId = "gpu-1", Active = true, Host = "box", DeviceKind = "cuda", ImagesPerSecond = 100,
            LastHeartbeat = Timestamp.FromDateTimeOffset(Now.AddSeconds(-3)), LastError = "out of memory\nat step 5",
        };
        worker.Gpus.Add("H100");

        var lines = JobTable.Workers([worker], Now).Split(Environment.NewLine);

        Assert.Equal("gpu-1  active  box   cuda: H100  -    100.0  3s ago     out of memory at step 5", lines[1]);
    }
}
