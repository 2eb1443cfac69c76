using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Checkpoints.Tests;

/// <summary>A unique temp folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ckpt-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

public static class TestUtil
{
    public static byte[] Bytes(Tensor t)
    {
        using var c = t.cpu().contiguous();
        return c.numel() == 0 ? [] : c.bytes.ToArray();
    }

    public static void AssertBitwiseEqual(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(DeviceType.CPU, actual.device_type);
        Assert.Equal(Bytes(expected), Bytes(actual));
    }

    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>Small, deterministic content with all three standard files.</summary>
    public static CheckpointContent SampleContent(long step = 10)
    {
        var gen = new Generator(1234);
        var model = new Dictionary<string, Tensor>
        {
            ["unet.conv_in.weight"] = randn([8, 3, 3, 3], generator: gen),
            ["unet.conv_in.bias"] = zeros(8),
            ["unet.norm.weight"] = ones(8).to(ScalarType.BFloat16),
        };
        var ema = model.ToDictionary(kv => kv.Key, kv => kv.Value * 0.5);
        var optimizer = new Dictionary<string, Tensor>
        {
            ["state.0.exp_avg"] = randn([8, 3, 3, 3], generator: gen),
            ["state.0.exp_avg_sq"] = rand([8, 3, 3, 3], generator: gen),
            ["state.0.step"] = tensor(step, ScalarType.Int64),
        };
        return new CheckpointContent
        {
            Step = step,
            TensorFiles = new Dictionary<string, IReadOnlyDictionary<string, Tensor>>
            {
                [CheckpointFiles.Model] = model,
                [CheckpointFiles.Ema] = ema,
                [CheckpointFiles.Optimizer] = optimizer,
            },
            Config = JsonNode.Parse("""{"model":{"channels":64,"attention":[16,8]},"lr":0.0001,"name":"colorize"}""")!.AsObject(),
            State = JsonNode.Parse("""{"scheduler":{"lastEpoch":3},"bestLoss":0.125}""")!.AsObject(),
            RngStates = new Dictionary<string, byte[]> { ["torch.cpu"] = [1, 2, 3, 250, 0, 7], ["data"] = new byte[40] },
            DataPosition = JsonNode.Parse("""{"epoch":2,"index":1536,"shuffleSeed":99}""")!.AsObject(),
            CreatedUtc = new DateTime(2025, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc),
        };
    }

    public static void FlipBit(string path, long offset, int bit = 3)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        f.Position = offset;
        var b = f.ReadByte();
        f.Position = offset;
        f.WriteByte((byte)(b ^ (1 << bit)));
    }

    public static string RepoFile(params string[] relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = System.IO.Path.Combine([dir.FullName, .. relative]);
            if (File.Exists(candidate)) return candidate;
            dir = dir.Parent;
        }
        throw new FileNotFoundException($"{string.Join('/', relative)} not found above {AppContext.BaseDirectory}");
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string fileName, params string[] args)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill();
            throw new TimeoutException($"{fileName} did not finish in 60 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
