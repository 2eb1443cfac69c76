using PaletteCluster.Testing;

namespace PaletteCluster.Cli.Tests;

/// <summary>Every command documents itself, and expected mistakes get one clear line, never a stack trace.</summary>
public class HelpAndErrorTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("train", "--help")]
    [InlineData("sample", "--help")]
    [InlineData("bench", "--help")]
    [InlineData("bench", "train-step", "--help")]
    [InlineData("checkpoint", "--help")]
    [InlineData("checkpoint", "verify", "--help")]
    [InlineData("checkpoint", "list", "--help")]
    [InlineData("env", "--help")]
    [InlineData("tasks", "--help")]
    [InlineData("tasks", "preview", "--help")]
    [InlineData("shards", "build", "--help")]
    [InlineData("shards", "verify", "--help")]
    public void EveryCommandHasHelp(params string[] args)
    {
        var r = PaletteProcess.Run(args);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.Stdout);
        Assert.Contains("Options:", r.Stdout);
    }

    [Fact]
    public void OutOfRangeOptionNamesTheOption()
    {
        var r = PaletteProcess.Run("train", "--data", "/tmp", "--out", "/tmp/x", "--batch", "0");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--batch must be between 1", r.All);
        Assert.False(r.HasStackTrace, r.All);
    }

    [Fact]
    public void UnknownOptionAndMissingRequiredAreReported()
    {
        var r = PaletteProcess.Run("train", "--dataa", "x");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Unrecognized", r.All); // the parser names the token it could not place
        Assert.False(r.HasStackTrace, r.All);

        var noOut = PaletteProcess.Run("train", "--data", "x", "--device", "cpu"); // neither a job spec nor --data with --out
        Assert.Equal(2, noOut.ExitCode);
        Assert.Contains("--data and --out", noOut.Stderr);
        Assert.False(noOut.HasStackTrace, noOut.All);
    }

    [Fact]
    public void MissingDataFolderIsAClearError()
    {
        var r = PaletteProcess.Run("train", "--data", "/nonexistent/images", "--out", RealPhotos.NewTempDir("pc-cli"), "--device", "cpu");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error:", r.Stderr);
        Assert.Contains("/nonexistent/images", r.Stderr);
        Assert.False(r.HasStackTrace, r.All);
    }

    [Fact]
    public void BadScheduleIsAClearError()
    {
        var data = RealPhotos.CopyTo(RealPhotos.NewTempDir("pc-cli"), 2);
        var r = PaletteProcess.Run("train", "--data", data, "--out", RealPhotos.NewTempDir("pc-cli"), "--schedule", "linear:abc", "--device", "cpu");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("linear:abc", r.Stderr);
        Assert.False(r.HasStackTrace, r.All);
    }

    [Fact]
    public void CudaOnTheCpuBuildIsAClearError()
    {
        var r = PaletteProcess.Run("env", "--device", "cuda");
        if (r.ExitCode == 0) return; // a machine with CUDA libtorch accepts it
        Assert.Contains("CUDA was requested but is not available", r.Stderr);
        Assert.False(r.HasStackTrace, r.All);
    }

    [Fact]
    public void LibTorchCanBeLoadedFromANamedFolder()
    {
        // The folder the tests run from holds a complete CPU libtorch: naming it must make the process use it.
        var folder = AppContext.BaseDirectory.TrimEnd('/');
        var r = PaletteProcess.Run(new Dictionary<string, string> { ["PALETTE_LIBTORCH"] = folder }, "env", "--device", "cpu");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"libtorch file: {folder}/libtorch_cpu.so", r.Stdout);

        var bad = PaletteProcess.Run(new Dictionary<string, string> { ["PALETTE_LIBTORCH"] = "/nonexistent/lib" }, "env");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("/nonexistent/lib", bad.Stderr);
        Assert.False(bad.HasStackTrace, bad.All);
    }
}
