using PaletteCluster.Imaging;
using PaletteCluster.Testing;

namespace PaletteCluster.Cli.Tests;

public class TasksPreviewTests
{
    [Fact]
    public void PreviewDrawsOneRowPerTaskAndImage()
    {
        var dir = RealPhotos.CopyTo(RealPhotos.NewTempDir("pc-preview"), 2);
        var grid = Path.Combine(dir, "out", "grid.png");
        var r = PaletteProcess.Run("tasks", "preview", "--input", dir, "--out", grid, "--size", "48", "--images", "2");
        Assert.True(r.ExitCode == 0, r.All);
        var image = ImageCodec.Load(grid);
        int rows = 7 * 2, padding = 2;
        Assert.Equal(3 * 48 + 4 * padding, image.Width);
        Assert.Equal(rows * 48 + (rows + 1) * padding, image.Height);
    }

    [Fact]
    public void TaskBenchmarkPrintsARateForEveryTask()
    {
        var dir = RealPhotos.CopyTo(RealPhotos.NewTempDir("pc-bench"), 1);
        var r = PaletteProcess.Run("bench", "tasks", "--input", dir, "--size", "32", "--seconds", "0.1");
        Assert.True(r.ExitCode == 0, r.All);
        foreach (var task in new[] { "colorization", "inpainting", "uncropping", "jpeg", "sr4x", "denoising", "deblurring" })
            Assert.Matches($@"(?m)^{task}\s+[0-9]+\.[0-9]$", r.Stdout);
    }

    [Fact]
    public void UnknownTaskIsNamed()
    {
        var r = PaletteProcess.Run("tasks", "preview", "--input", "/tmp", "--out", "/tmp/x.png", "--task", "paint");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown task 'paint'", r.Stderr);
        Assert.False(r.HasStackTrace, r.All);
    }
}
