using System.Text.Json.Nodes;
using PaletteCluster.Imaging;
using PaletteCluster.Testing;

namespace PaletteCluster.Cli.Tests;

/// <summary>
/// The whole local loop through the real executable: train, stop, resume in a fresh process, sample.
/// One run set is shared by the tests of this class (training is the slow part).
/// </summary>
public sealed class TrainedRuns : IDisposable
{
    public TrainedRuns()
    {
        Root = RealPhotos.NewTempDir("pc-cli-runs");
        Data = RealPhotos.CopyTo(Path.Combine(Root, "images"), 6);
        Straight = Path.Combine(Root, "straight");
        Split = Path.Combine(Root, "split");
        StraightRun = Train(Straight, 20, 20, "--samples", "2");
        FirstHalf = Train(Split, 10, 10);
        SecondHalf = Train(Split, 20, 10, "--resume");
    }

    public string Root { get; }
    public string Data { get; }
    public string Straight { get; }
    public string Split { get; }
    public PaletteProcess.Result StraightRun { get; }
    public PaletteProcess.Result FirstHalf { get; }
    public PaletteProcess.Result SecondHalf { get; }

    public PaletteProcess.Result Train(string output, long steps, long every, params string[] extra) =>
        PaletteProcess.Run([
            "train", "--data", Data, "--out", output, "--steps", steps.ToString(), "--checkpoint-every", every.ToString(),
            "--preset", "tiny", "--image-size", "32", "--batch", "4", "--lr", "1e-3", "--warmup", "5", "--ema-decay", "0.9",
            "--dropout", "0.1", "--seed", "3", "--log-every", "5", "--device", "cpu",
            .. (extra.Contains("--samples") ? extra : [.. extra, "--samples", "0"])]);

    public static string Checkpoint(string run, long step) => Path.Combine(run, "checkpoints", $"step-{step:D8}");

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

public class TrainResumeSampleTests(TrainedRuns runs) : IClassFixture<TrainedRuns>
{
    [Fact]
    public void RunsSucceedAndReportProgress()
    {
        foreach (var r in new[] { runs.StraightRun, runs.FirstHalf, runs.SecondHalf })
            Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("step 20/20", runs.StraightRun.Stdout);
        Assert.Contains("Resumed from", runs.SecondHalf.Stderr);
        Assert.True(File.Exists(Path.Combine(runs.Straight, "samples", "step-00000020.png")), "final sample grid missing");
    }

    [Fact]
    public void ResumingInAFreshProcessIsBitwiseIdenticalToAnUninterruptedRun()
    {
        var a = ReadManifest(TrainedRuns.Checkpoint(runs.Straight, 20));
        var b = ReadManifest(TrainedRuns.Checkpoint(runs.Split, 20));
        foreach (var file in new[] { "model.safetensors", "ema.safetensors", "optimizer.safetensors" })
            Assert.Equal(a["files"]![file]!["sha256"]!.GetValue<string>(), b["files"]![file]!["sha256"]!.GetValue<string>());
        Assert.Equal(a["rng"]!.ToJsonString(), b["rng"]!.ToJsonString());
        Assert.Equal(a["dataPosition"]!.ToJsonString(), b["dataPosition"]!.ToJsonString());
        Assert.Equal(a["state"]!["adamStep"]!.GetValue<long>(), b["state"]!["adamStep"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_run_killed_with_SIGKILL_at_a_random_step_resumes_to_bitwise_the_same_parameters()
    {
        var run = Path.Combine(runs.Root, $"killed-{Guid.NewGuid():N}");
        int killAt = Random.Shared.Next(5, 18); // any step: mid-step, mid-checkpoint, between checkpoints
        using (var victim = new PaletteDaemon("train", null, [
                   "train", "--data", runs.Data, "--out", run, "--steps", "20", "--checkpoint-every", "4",
                   "--preset", "tiny", "--image-size", "32", "--batch", "4", "--lr", "1e-3", "--warmup", "5", "--ema-decay", "0.9",
                   "--dropout", "0.1", "--seed", "3", "--log-every", "1", "--device", "cpu", "--samples", "0"]))
        {
            await victim.WaitForLine($"step {killAt}/20", TimeSpan.FromMinutes(3));
            victim.Kill(); // no chance to checkpoint: the last periodic checkpoint is all there is
        }
        var resumed = runs.Train(run, 20, 4, "--resume");
        Assert.True(resumed.ExitCode == 0, $"killed at step {killAt}: {resumed.All}");
        Assert.Contains("Resumed from", resumed.Stderr);

        var a = ReadManifest(TrainedRuns.Checkpoint(runs.Straight, 20));
        var b = ReadManifest(TrainedRuns.Checkpoint(run, 20));
        foreach (var file in new[] { "model.safetensors", "ema.safetensors", "optimizer.safetensors" })
            Assert.True(a["files"]![file]!["sha256"]!.GetValue<string>() == b["files"]![file]!["sha256"]!.GetValue<string>(),
                $"{file} differs after a kill at step {killAt}");
    }

    [Fact]
    public void ExistingRunIsNotOverwrittenWithoutResume()
    {
        var r = runs.Train(runs.Split, 30, 10);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--resume", r.Stderr);
        Assert.False(r.HasStackTrace, r.All);
        Assert.False(Directory.Exists(TrainedRuns.Checkpoint(runs.Split, 30)));
    }

    [Fact]
    public void TamperedCheckpointIsRefusedWithTheFileNamed()
    {
        var copy = CopyCheckpoint(20, "tampered");
        var ema = Path.Combine(copy, "ema.safetensors");
        var bytes = File.ReadAllBytes(ema);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(ema, bytes);

        var verify = PaletteProcess.Run("checkpoint", "verify", copy);
        Assert.Equal(2, verify.ExitCode);
        Assert.Contains("ema.safetensors", verify.Stderr);
        Assert.Contains("SHA-256", verify.Stderr);
        Assert.False(verify.HasStackTrace, verify.All);

        var sample = PaletteProcess.Run("sample", "--checkpoint", copy, "--input", runs.Data, "--out", Path.Combine(runs.Root, "never"), "--device", "cpu");
        Assert.Equal(2, sample.ExitCode);
        Assert.Contains("ema.safetensors", sample.Stderr);
        Assert.False(Directory.Exists(Path.Combine(runs.Root, "never")));
    }

    [Fact]
    public void TruncatedCheckpointIsRefused()
    {
        var copy = CopyCheckpoint(10, "truncated");
        var model = Path.Combine(copy, "model.safetensors");
        using (var f = File.Open(model, FileMode.Open)) f.SetLength(f.Length / 3);
        var verify = PaletteProcess.Run("checkpoint", "verify", copy);
        Assert.Equal(2, verify.ExitCode);
        Assert.Contains("model.safetensors", verify.Stderr);
        Assert.False(verify.HasStackTrace, verify.All);

        var good = PaletteProcess.Run("checkpoint", "verify", TrainedRuns.Checkpoint(runs.Split, 10));
        Assert.Equal(0, good.ExitCode);
        Assert.Contains("OK", good.Stdout);
    }

    [Fact]
    public void SampleWritesOnePngPerInputAndAGridDeterministically()
    {
        string Sample(string name) =>
            PaletteProcess.Run("sample", "--checkpoint", runs.Split, "--input", runs.Data, "--limit", "2", "--sampler", "ddim",
                "--steps", "5", "--seed", "1", "--out", Path.Combine(runs.Root, name), "--device", "cpu") is { ExitCode: 0 }
                ? Path.Combine(runs.Root, name)
                : throw new Xunit.Sdk.XunitException($"sample {name} failed");
        var first = Sample("samples-1");
        var second = Sample("samples-2");
        var outputs = Directory.GetFiles(first, "*.png").Where(f => Path.GetFileName(f) != "grid.png").Order().ToList();
        Assert.Equal(2, outputs.Count);
        foreach (var file in outputs)
        {
            var image = ImageCodec.Load(file);
            Assert.Equal((32, 32), (image.Width, image.Height));
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(second, Path.GetFileName(file))));
        }
        var grid = ImageCodec.Load(Path.Combine(first, "grid.png"));
        Assert.True(grid.Width > 3 * 32 && grid.Height > 2 * 32, $"grid is {grid.Width}x{grid.Height}");
    }

    [Fact]
    public void SigtermStopsAfterTheCurrentStepWithACheckpoint()
    {
        var output = Path.Combine(runs.Root, "stopped");
        var r = PaletteProcess.RunAndTerminate("step 2/", "train", "--data", runs.Data, "--out", output, "--steps", "100000",
            "--preset", "tiny", "--image-size", "32", "--batch", "2", "--log-every", "1", "--samples", "0", "--device", "cpu");
        Assert.True(r.ExitCode == 0, r.All);
        var stopped = System.Text.RegularExpressions.Regex.Match(r.Stdout, @"Stopped at step (\d+)");
        Assert.True(stopped.Success, r.All);
        Assert.True(Directory.Exists(TrainedRuns.Checkpoint(output, long.Parse(stopped.Groups[1].Value))), "no checkpoint at the stop step");
        Assert.Equal(0, PaletteProcess.Run("checkpoint", "verify", TrainedRuns.Checkpoint(output, long.Parse(stopped.Groups[1].Value))).ExitCode);
    }

    [Fact]
    public void BenchPrintsAResultLine()
    {
        var r = PaletteProcess.Run("bench", "train-step", "--preset", "tiny", "--batch", "2", "--res", "32", "--steps", "2", "--warmup", "1", "--device", "cpu");
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Matches(@"RESULT impl=palettecluster config=tiny params=1\.4M res=32 batch=2 dtype=fp32 device=cpu step_ms=[0-9.]+ img_per_s=[0-9.]+ peak_mem_gib=[0-9.]+", r.Stdout);
    }

    private string CopyCheckpoint(long step, string name)
    {
        var source = TrainedRuns.Checkpoint(runs.Split, step);
        var target = Path.Combine(runs.Root, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    private static JsonNode ReadManifest(string checkpoint) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "manifest.json")))!;
}
