using Microsoft.Extensions.Logging;
using PaletteCluster.CheckpointFormat;
using PaletteCluster.Checkpoints;
using PaletteCluster.Data;
using PaletteCluster.Data.Tasks;
using PaletteCluster.Diffusion;
using PaletteCluster.Imaging;
using PaletteCluster.Networks;
using static TorchSharp.torch;

namespace PaletteCluster.Training.Sampling;

/// <summary>
/// Runs a trained network on input images. Uses the EMA weights unless told otherwise (a known open
/// implementation keeps an EMA but samples with the raw weights).
/// </summary>
public sealed class ImageSampler : IDisposable
{
    private readonly PaletteUNet _network;
    private readonly bool _ownsNetwork;

    private ImageSampler(TrainConfig config, PaletteUNet network, Device device, bool ownsNetwork)
    {
        Config = config;
        Device = device;
        _network = network;
        _ownsNetwork = ownsNetwork;
        _network.eval();
    }

    public TrainConfig Config { get; }
    public Device Device { get; }

    /// <summary>Sampling builds colorization inputs; other tasks' inference inputs come with the data pipeline.</summary>
    public static bool CanColorize(TrainConfig config) =>
        TaskCatalog.Parse(config.Task).Any(t => t.Task is ColorizationTask);

    /// <summary>Loads a verified checkpoint (a step folder, or a run folder: its latest checkpoint).</summary>
    public static ImageSampler FromCheckpoint(string path, Device device, bool useEma = true)
    {
        var dir = File.Exists(Path.Combine(path, CheckpointFiles.Manifest)) ? path
            : CheckpointReader.FindLatest(Path.Combine(path, "checkpoints"))
              ?? throw new CheckpointException($"checkpoint: '{path}' is neither a checkpoint folder (no {CheckpointFiles.Manifest}) nor a run folder with checkpoints");
        var reader = CheckpointReader.Open(dir);
        var config = TrainerCheckpoint.ConfigFromJson(reader.Manifest.Config, $"checkpoint {dir}");
        if (!CanColorize(config))
            throw new ArgumentException($"checkpoint: {dir} was trained for '{config.Task}'; palette sample colorizes, so the run must include colorization");
        var network = PaletteFactory.CreateNetwork(config, device);
        var weights = reader.LoadTensors(useEma ? CheckpointFiles.Ema : CheckpointFiles.Model);
        using (no_grad())
        {
            foreach (var (name, p) in network.named_parameters())
            {
                if (!weights.TryGetValue(name, out var t))
                    throw new CheckpointException($"checkpoint {dir}: weights have no tensor '{name}'");
                p.copy_(t);
            }
        }
        foreach (var t in weights.Values) t.Dispose();
        return new ImageSampler(config, network, device, ownsNetwork: true);
    }

    /// <summary>Samples with a live trainer's EMA weights (copied into a fresh network).</summary>
    public static ImageSampler FromTrainer(PaletteTrainer trainer)
    {
        var network = PaletteFactory.CreateNetwork(trainer.Config, trainer.Device);
        trainer.Ema.CopyTo(network);
        return new ImageSampler(trainer.Config, network, trainer.Device, ownsNetwork: true);
    }

    /// <summary>condition (B,3,H,W) in [-1,1] -> sample (B,3,H,W) in [-1,1].</summary>
    public Tensor Sample(Tensor condition, ISampler sampler, Generator generator, IProgress<int>? progress = null) =>
        Sample(condition, null, null, sampler, generator, progress);

    /// <summary>Masked tasks: where mask (B,1,H,W) is 0 the result keeps <paramref name="known"/> (the target).</summary>
    public Tensor Sample(Tensor condition, Tensor? mask, Tensor? known, ISampler sampler, Generator generator, IProgress<int>? progress = null)
    {
        using var _ = no_grad();
        // A scope holds every tensor made here (inputs moved to the device, the sample) until the last native call
        // that reads it is done, even for a caller without a scope of its own.
        using var scope = NewDisposeScope();
        var sample = sampler.Sample(PaletteFactory.AsNoisePredictor(_network), condition.to(Device), mask?.to(Device), known?.to(Device), generator, progress);
        return sample.cpu().MoveToOuterDisposeScope();
    }

    /// <summary>An image to sample from: a name (for the output file) and how to load it.</summary>
    public sealed record Input(string Name, Func<RgbImage> Load);

    public IReadOnlyList<string> SampleFiles(IReadOnlyList<string> paths, string outDir, string gridPath, SamplingOptions options,
        bool writeEach, ILogger logger, IProgress<(int Done, int Total)>? progress = null) =>
        SampleImages(paths.Select(p => new Input(p, () => ImageCodec.Load(p))).ToList(), outDir, gridPath, options, writeEach, logger, progress);

    /// <summary>
    /// Samples every input image in batches; writes one PNG per input (if <paramref name="writeEach"/>) and a grid
    /// (rows: condition | sample | reference). Unreadable inputs are skipped with a warning.
    /// </summary>
    public IReadOnlyList<string> SampleImages(IReadOnlyList<Input> inputs, string outDir, string gridPath, SamplingOptions options,
        bool writeEach, ILogger logger, IProgress<(int Done, int Total)>? progress = null)
    {
        Directory.CreateDirectory(outDir);
        var sampler = options.CreateSampler();
        using var generator = new Generator((ulong)options.Seed, Device);
        var rows = new List<IReadOnlyList<Tensor>>();
        var written = new List<string>();
        var loaded = new List<(string Path, RgbImage Condition, RgbImage Reference)>();
        foreach (var input in inputs)
        {
            try
            {
                var (c, r) = ColorizationInput.FromImage(input.Load(), Config.ImageSize);
                loaded.Add((input.Name, c, r));
            }
            catch (ImageDecodeException e)
            {
                logger.LogWarning("Skipping {Path}: {Reason}", e.Path, e.Reason);
            }
        }
        if (loaded.Count == 0) throw new ArgumentException($"input: none of the {inputs.Count} input image(s) could be read");

        int done = 0;
        foreach (var chunk in loaded.Chunk(Math.Max(1, options.BatchSize)))
        {
            using var scope = NewDisposeScope();
            var condition = stack(chunk.Select(x => ImageTensors.ToTensor(x.Condition)).ToArray());
            var samples = Sample(condition, sampler, generator);
            for (int i = 0; i < chunk.Length; i++)
            {
                var output = samples[i];
                if (writeEach)
                {
                    var file = Path.Combine(outDir, Path.GetFileNameWithoutExtension(chunk[i].Path) + ".png");
                    ImageCodec.SavePng(ImageTensors.ToImage(output), file);
                    written.Add(file);
                }
                rows.Add([condition[i].DetachFromDisposeScope(), output.DetachFromDisposeScope(), ImageTensors.ToTensor(chunk[i].Reference).DetachFromDisposeScope()]);
            }
            done += chunk.Length;
            progress?.Report((done, loaded.Count));
        }
        ImageGrid.Save(rows, gridPath);
        foreach (var row in rows) foreach (var t in row) t.Dispose();
        return written;
    }

    public void Dispose()
    {
        if (_ownsNetwork) _network.Dispose();
    }
}
