using PaletteCluster.Testing;

namespace PaletteCluster.Cli.Tests;

/// <summary>
/// <c>palette train job.yaml</c>: an embedded silo and a worker in one process train the job submitted through the
/// gRPC API, then a second run of the same file sees the finished job instead of training it again.
/// </summary>
public sealed class TrainJobSpecTests : IDisposable
{
    private readonly string _root = RealPhotos.NewTempDir("pc-cli-job");

    [Fact]
    public void A_job_spec_trains_through_the_embedded_cluster_and_is_remembered()
    {
        RealPhotos.CopyTo(Path.Combine(_root, "photos"), 3);
        var spec = Path.Combine(_root, "job.yaml");
        File.WriteAllText(spec, """
            name: cli job
            data: photos          # relative to this file
            task: inpainting,colorization
            image_size: 32
            batch_size: 2
            steps: 6
            warmup_steps: 2
            checkpoint_every: 3
            report_every: 3
            samples: 1
            """);
        string[] where = ["--state", Path.Combine(_root, "state"), "--storage", Path.Combine(_root, "storage"), "--device", "cpu"];

        var run = PaletteProcess.Run(["train", spec, .. where]);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("job cli-job completed at step 6", run.Stdout);
        var job = Path.Combine(_root, "storage", "jobs", "cli-job");
        Assert.True(File.Exists(Path.Combine(job, "checkpoints", "step-00000006", "manifest.json")), run.All);
        Assert.True(File.Exists(Path.Combine(job, "samples", "step-00000006.png")), run.All);
        Assert.True(Directory.EnumerateFiles(Path.Combine(_root, "state"), "*.json", SearchOption.AllDirectories).Any());

        var again = PaletteProcess.Run(["train", spec, .. where]);
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Contains("already completed at step 6", again.Stdout);
    }

    [Fact]
    public void A_bad_job_spec_is_refused_before_anything_starts()
    {
        var spec = Path.Combine(_root, "bad.yaml");
        File.WriteAllText(spec, "data: /nowhere\nsteps: 0\nlerning_rate: 0.1\n");
        var run = PaletteProcess.Run("train", spec, "--state", Path.Combine(_root, "state"), "--device", "cpu");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("bad.yaml:2", run.Stderr);
        Assert.Contains("did you mean 'learning_rate'", run.Stderr);
        Assert.False(run.HasStackTrace, run.All);
        Assert.False(Directory.Exists(Path.Combine(_root, "state")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
