using System.Diagnostics;
using PaletteCluster.Data.Shards;
using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tests.Shards;

/// <summary>Synchronous progress sink (Progress&lt;T&gt; posts asynchronously, which would race the assertions).</summary>
public sealed class CollectingProgress<T> : IProgress<T>
{
    public List<T> Reports { get; } = new();
    public void Report(T value) => Reports.Add(value);
}

public static class ShardTestSupport
{
    /// <summary>Writes a mix of small PNG and JPEG images; returns relative path -> file bytes.</summary>
    public static Dictionary<string, byte[]> WriteGoodImages(TempDir dir, string folder = "in", int count = 6)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            var img = Samples.Synthetic(16 + 3 * i, 12 + 2 * (i % 3), i);
            string rel = i % 2 == 0 ? $"set{i % 3}/img{i:D2}.png" : $"set{i % 3}/photo{i:D2}.JPG";
            string path = dir.File(Path.Combine(folder, rel));
            if (i % 2 == 0) ImageCodec.SavePng(img, path);
            else File.WriteAllBytes(path, Samples.EncodeJpeg(img));
            result[rel] = File.ReadAllBytes(path);
        }
        return result;
    }

    public static ShardBuildOptions Options(TempDir dir, string input = "in", string output = "out") => new()
    {
        InputFolders = new[] { Path.Combine(dir.Path, input) },
        OutputFolder = Path.Combine(dir.Path, output),
    };

    public static string TarPath()
    {
        foreach (var p in new[] { "/bin/tar", "/usr/bin/tar" })
            if (File.Exists(p)) return p;
        Assert.Fail("No tar executable at /bin/tar or /usr/bin/tar; the interoperability tests need GNU tar.");
        return "";
    }

    /// <summary>Runs tar with the given arguments; fails the test on a non-zero exit; returns stdout.</summary>
    public static string RunTar(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(TarPath())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"tar {string.Join(' ', args)} exited {p.ExitCode}: {stderr}");
        return stdout.Result;
    }

    public static string[] ShardFiles(string output) =>
        Directory.GetFiles(output, "shard-*.tar").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray()!;
}
