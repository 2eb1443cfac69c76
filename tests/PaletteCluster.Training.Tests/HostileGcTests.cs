using System.Runtime.InteropServices;
using System.Security.Cryptography;
using PaletteCluster.Diffusion;
using PaletteCluster.Training.Sampling;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace PaletteCluster.Training.Tests;

/// <summary>
/// Training and sampling while another thread forces garbage collections without pause, with no GC-quiet region
/// anywhere. TorchSharp 0.107 does not keep the managed Scalars it creates for a call (implicit conversions, default
/// alpha arguments) alive during that call: a collection in the middle of it lets the finalizer free the Scalar while
/// libtorch reads it. Our hot paths must hold every Scalar they pass, so such a run must finish and match, bit for
/// bit, the same run without the hostile thread. See docs/libtorch.md, last section.
/// PALETTE_HOSTILE_GC_STEPS=N trains N steps instead of the default (a longer soak).
/// </summary>
public class HostileGcTests(ITestOutputHelper output)
{
    // 60 training steps + 100 DDPM steps + 40 DDIM steps: 200 steps, each a forward pass.
    private const int DefaultTrainSteps = 60;
    private const string SampleSchedule = "linear:100:1e-4:0.09";
    private const int DdimSteps = 40;

    private sealed record Fingerprint(string Parameters, string Ema, string Optimizer, string Losses, string Ddpm, string Ddim);

    [Fact]
    public void TrainingAndSamplingUnderContinuousCollectionsMatchAQuietRunBitForBit()
    {
        int steps = int.TryParse(Environment.GetEnvironmentVariable("PALETTE_HOSTILE_GC_STEPS"), out var n) && n > 0 ? n : DefaultTrainSteps;
        // Synthetic pairs: the test is about lifetimes, not image content (and needs no photo package).
        using var gen = new Generator(5, TrainerFixture.Cpu);
        using var target = rand([1, 3, 32, 32], generator: gen) * 2 - 1;
        using var condition = target.mean([1], keepdim: true).expand(1, 3, 32, 32).contiguous();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var quiet = Run(condition, target, steps);
        double quietSeconds = clock.Elapsed.TotalSeconds;
        Fingerprint hostile;
        long collections;
        clock.Restart();
        using (var gc = new HostileCollector())
        {
            hostile = Run(condition, target, steps);
            collections = gc.StopAndCount();
        }
        output.WriteLine($"{steps} training steps + {new NoiseSchedule(SampleSchedule).Steps} DDPM + {DdimSteps} DDIM steps: " +
            $"quiet {quietSeconds:F1} s, hostile {clock.Elapsed.TotalSeconds:F1} s with {collections} forced collections");

        // The hostile thread must really have collected all along, or the comparison proves nothing.
        Assert.True(collections >= steps, $"only {collections} forced collections during {steps} steps and two samplings");
        Assert.Equal(quiet.Losses, hostile.Losses);
        Assert.Equal(quiet.Parameters, hostile.Parameters);
        Assert.Equal(quiet.Ema, hostile.Ema);
        Assert.Equal(quiet.Optimizer, hostile.Optimizer);
        Assert.Equal(quiet.Ddpm, hostile.Ddpm);
        Assert.Equal(quiet.Ddim, hostile.Ddim);
    }

    /// <summary>
    /// Trains the tiny net (attention, res blocks, dropout, gradient clipping, masked and unmasked steps), then samples
    /// from its EMA weights with DDPM (masked) and DDIM, and fingerprints everything the run produced.
    /// </summary>
    private static Fingerprint Run(Tensor condition, Tensor target, int steps)
    {
        var config = TrainerFixture.Tiny(batch: 1) with { Dropout = 0.1, GradClip = 1.0 };
        using var trainer = new PaletteTrainer(config, TrainerFixture.Cpu);
        using var mask = zeros(1, 1, 32, 32);
        mask[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(8, 24), TensorIndex.Slice(8, 24)] = ones(1, 1, 16, 16);

        var losses = new List<float>();
        for (int i = 0; i < steps; i++)
        {
            using var loss = trainer.TrainStep(condition, target, i % 2 == 0 ? null : mask);
            losses.Add(loss.item<float>());
        }

        using var sampler = ImageSampler.FromTrainer(trainer);
        var schedule = new NoiseSchedule(SampleSchedule);
        using var ddpmGen = new Generator(11, TrainerFixture.Cpu);
        using var ddpm = sampler.Sample(condition, mask, target, new DdpmSampler(schedule), ddpmGen);
        using var ddimGen = new Generator(12, TrainerFixture.Cpu);
        using var ddim = sampler.Sample(condition, new DdimSampler(schedule, DdimSteps, eta: 1.0), ddimGen);

        return new Fingerprint(
            Hash(trainer.Network.named_parameters().Select(p => (p.name, (Tensor)p.parameter))),
            Hash(trainer.Ema.StateTensors().Select(kv => (kv.Key, kv.Value))),
            Hash(trainer.Optimizer.StateTensors().Select(kv => (kv.Key, kv.Value))),
            string.Join(",", losses.Select(l => BitConverter.SingleToInt32Bits(l).ToString("x8"))),
            Hash([("ddpm", ddpm)]),
            Hash([("ddim", ddim)]));
    }

    /// <summary>SHA-256 over the names and raw fp32 bits of the tensors, in name order.</summary>
    private static string Hash(IEnumerable<(string Name, Tensor Value)> tensors)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, value) in tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            using var flat = value.detach().to(ScalarType.Float32).cpu().contiguous();
            sha.AppendData(MemoryMarshal.AsBytes(flat.data<float>().ToArray().AsSpan()));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>A thread that allocates garbage and forces full collections, running finalizers, until stopped.</summary>
    private sealed class HostileCollector : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private long _collections;

        public HostileCollector()
        {
            _thread = new Thread(Loop) { IsBackground = true, Name = "hostile-gc" };
            _thread.Start();
        }

        private void Loop()
        {
            var keep = new object[64];
            for (long i = 0; !_stop.IsCancellationRequested; i++)
            {
                for (int k = 0; k < keep.Length; k++) keep[k] = new byte[256 + (int)(i % 4096)];
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref _collections);
            }
        }

        public long StopAndCount()
        {
            _stop.Cancel();
            _thread.Join();
            return Interlocked.Read(ref _collections);
        }

        public void Dispose()
        {
            if (!_stop.IsCancellationRequested) StopAndCount();
            _stop.Dispose();
        }
    }
}
