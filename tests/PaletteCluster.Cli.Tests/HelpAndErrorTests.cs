using PaletteCluster.Testing;

namespace PaletteCluster.Cli.Tests;

/// <summary>Expected mistakes get one clear line and exit code 2, never a stack trace.</summary>
public class HelpAndErrorTests
{
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
    public void CudaOnACpuOnlyLibTorchIsAClearError()
    {
        var r = PaletteProcess.Run(CpuOnlyLibTorch(), "env", "--device", "cuda");
        AssertOneCudaErrorLine(r);

        var typo = PaletteProcess.Run(CpuOnlyLibTorch(), "env", "--device", "cudax");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("error: unknown device 'cudax'", typo.Stderr);
        Assert.False(typo.HasStackTrace, typo.All);
    }

    /// <summary>Every command with a --device option, with what else it needs to get as far as choosing the device.</summary>
    public static TheoryData<string> CommandsWithADevice() => new(CommandTree.All()
        .Where(c => c.Command.Options.Any(o => o.Name == "--device"))
        .Select(c => string.Join(' ', c.Path)));

    [Theory]
    [MemberData(nameof(CommandsWithADevice))]
    public void EveryCommandRejectsCudaOnACpuOnlyLibTorch(string commandPath)
    {
        var data = RealPhotos.CopyTo(RealPhotos.NewTempDir("pc-cli"), 2);
        var scratch = RealPhotos.NewTempDir("pc-cli");
        string[] needs = commandPath switch
        {
            "train" => ["--data", data, "--out", scratch],
            "bench cluster" => ["--data", data],
            "sample" => ["--checkpoint", scratch, "--input", data, "--out", scratch],
            "bench train-step" or "bench checkpoint" or "env" or "worker" => [],
            _ => throw new Xunit.Sdk.XunitException($"'{commandPath}' takes --device: add what it needs to reach the device choice here"),
        };
        var r = PaletteProcess.Run(CpuOnlyLibTorch(), [.. commandPath.Split(' '), .. needs, "--device", "cuda"]);
        AssertOneCudaErrorLine(r);
    }

    /// <summary>
    /// The bundled libtorch beside the tests, named explicitly, and no library path a CUDA build could come from:
    /// the same CPU-only libtorch on every machine, GPU machines included.
    /// </summary>
    private static Dictionary<string, string> CpuOnlyLibTorch()
    {
        var folder = AppContext.BaseDirectory.TrimEnd('/');
        Assert.True(File.Exists(Path.Combine(folder, "libtorch_cpu.so")), $"{folder} holds no libtorch_cpu.so");
        Assert.False(File.Exists(Path.Combine(folder, "libtorch_cuda.so")), $"{folder} holds a CUDA libtorch: the tests expect the CPU build there");
        return new Dictionary<string, string> { ["PALETTE_LIBTORCH"] = folder, ["LD_LIBRARY_PATH"] = "" };
    }

    private static void AssertOneCudaErrorLine(PaletteProcess.Result r)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.False(r.HasStackTrace, r.All);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("error: CUDA was requested but is not available", line);
        Assert.Contains("PALETTE_LIBTORCH", line);
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
