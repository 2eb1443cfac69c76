using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PaletteCluster.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Data;

/// <summary>
/// A batch of pairs: <see cref="Condition"/> and <see cref="Target"/> are (B,3,S,S) float32 CPU tensors in [-1,1],
/// <see cref="Mask"/> (B,1,S,S) or null. <see cref="Position"/> is where the stream stands after this batch
/// (save it in checkpoints); <see cref="Samples"/> lists the drawn stream elements in batch order and
/// <see cref="TaskIds"/> which task of a <see cref="Tasks.TaskMix"/> made each (all 0 for a single task).
/// Dispose to free the tensors (or let an enclosing dispose scope do it).
/// </summary>
public sealed class PairBatch : IDisposable
{
    public Tensor Condition { get; }
    public Tensor Target { get; }
    public Tensor? Mask { get; }
    public DataPosition Position { get; }
    public IReadOnlyList<SampleRef> Samples { get; }
    public IReadOnlyList<int> TaskIds { get; }

    public PairBatch(Tensor condition, Tensor target, Tensor? mask, DataPosition position, IReadOnlyList<SampleRef> samples,
        IReadOnlyList<int>? taskIds = null)
    {
        Condition = condition; Target = target; Mask = mask; Position = position; Samples = samples;
        TaskIds = taskIds ?? new int[samples.Count];
    }

    public void Deconstruct(out Tensor condition, out Tensor target, out Tensor? mask, out DataPosition position)
    {
        condition = Condition; target = Target; mask = Mask; position = Position;
    }

    public void Dispose()
    {
        Condition.Dispose();
        Target.Dispose();
        Mask?.Dispose();
    }
}

/// <summary>A file that could not be decoded and is left out of every epoch.</summary>
public sealed record SkippedFile(int ItemIndex, string RelativePath, string Reason);

/// <summary>
/// Draws batches from an <see cref="IImageSource"/> (image folder or shards) in <see cref="EpochSampler"/> order through an <see cref="IImageTask"/>.
/// Deterministic: sample (epoch, index) is augmented with <see cref="DeterministicRng.ForSample"/>(seed, epoch, index),
/// so the same seed gives identical batch bytes, and a loader built at (or <see cref="Seek"/>ed to) a saved
/// <see cref="Position"/> yields exactly the rest of the stream. A file that fails to decode is logged once, recorded in
/// <see cref="SkippedFiles"/> and skipped wherever it comes up (its stream slot is consumed, not replaced).
/// Decoded images are cached in memory when <c>cacheImages</c> is true. Not thread-safe.
/// </summary>
public sealed class PairBatchLoader
{
    private readonly IImageSource _folder;
    private readonly IImageTask _task;
    private readonly EpochSampler _sampler;
    private readonly ILogger _logger;
    private readonly bool _cacheImages;
    private readonly Dictionary<int, RgbImage> _cache = new();
    private readonly Dictionary<int, SkippedFile> _bad = new();
    private readonly List<SkippedFile> _skipped = new();

    public int BatchSize { get; }
    public int ImageSize { get; }
    public ulong Seed { get; }
    public IImageTask Task => _task;
    public IImageSource Source => _folder;
    /// <summary>The next sample to draw; save it to resume.</summary>
    public DataPosition Position { get; private set; }
    /// <summary>Distinct files found undecodable so far, in discovery order.</summary>
    public IReadOnlyList<SkippedFile> SkippedFiles => _skipped;
    /// <summary>Stream slots skipped because their file was undecodable (a bad file counts once per epoch it is drawn).</summary>
    public long SkippedSamples { get; private set; }

    public PairBatchLoader(IImageSource folder, IImageTask task, EpochSampler sampler, int batchSize, int imageSize,
        ulong seed, DataPosition? start = null, ILogger? logger = null, bool cacheImages = true)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(sampler);
        if (sampler.Count != folder.Count)
            throw new ArgumentException($"Sampler covers {sampler.Count} items but the folder has {folder.Count}.", nameof(sampler));
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize));
        if (imageSize <= 0) throw new ArgumentOutOfRangeException(nameof(imageSize));
        _folder = folder;
        _task = task;
        _sampler = sampler;
        _logger = logger ?? NullLogger.Instance;
        _cacheImages = cacheImages;
        BatchSize = batchSize;
        ImageSize = imageSize;
        Seed = seed;
        Position = sampler.Normalize(start ?? DataPosition.Start);
    }

    /// <summary>Convenience: a shuffling sampler seeded with <paramref name="seed"/>.</summary>
    public PairBatchLoader(IImageSource folder, IImageTask task, int batchSize, int imageSize, ulong seed,
        DataPosition? start = null, ILogger? logger = null)
        : this(folder, task, new EpochSampler(folder.Count, seed), batchSize, imageSize, seed, start, logger) { }

    /// <summary>Continue from a saved position (as returned by <see cref="Position"/> or <see cref="PairBatch.Position"/>).</summary>
    public void Seek(DataPosition position) => Position = _sampler.Normalize(position);

    /// <summary>The next <see cref="BatchSize"/> decodable samples.</summary>
    /// <exception cref="InvalidDataException">no file in the folder can be decoded.</exception>
    public PairBatch Next()
    {
        int s = ImageSize, chw = 3 * s * s, plane = s * s;
        var condition = new float[BatchSize * chw];
        var target = new float[BatchSize * chw];
        var mask = _task.HasMask ? new float[BatchSize * plane] : null;
        var samples = new List<SampleRef>(BatchSize);
        var taskIds = new int[BatchSize];

        var p = Position;
        while (samples.Count < BatchSize)
        {
            if (_bad.Count == _folder.Count)
                throw new InvalidDataException(
                    $"None of the {_folder.Count} images under '{_folder.Root}' could be decoded; first: {_skipped[0].RelativePath}: {_skipped[0].Reason}");
            var sample = new SampleRef(p, _sampler.ItemAt(p));
            p = _sampler.Advance(p);

            var image = TryLoad(sample.ItemIndex);
            if (image is null)
            {
                SkippedSamples++;
                continue;
            }
            var rng = DeterministicRng.ForSample(Seed, sample.Position.Epoch, sample.Position.Index);
            TaskSample pair;
            if (_task is Tasks.TaskMix mix)
            {
                var mixed = mix.Make(image, s, ref rng);
                (pair, taskIds[samples.Count]) = (mixed.Sample, mixed.TaskIndex);
            }
            else
            {
                pair = _task.Make(image, s, ref rng);
            }
            int b = samples.Count;
            Check(pair.Condition, chw, "condition");
            Check(pair.Target, chw, "target");
            Array.Copy(pair.Condition, 0, condition, b * chw, chw);
            Array.Copy(pair.Target, 0, target, b * chw, chw);
            if (mask is not null)
            {
                if (pair.Mask is null) throw new InvalidOperationException($"Task '{_task.Name}' declares a mask but returned none.");
                Check(pair.Mask, plane, "mask");
                Array.Copy(pair.Mask, 0, mask, b * plane, plane);
            }
            samples.Add(sample);
        }
        Position = p;

        long n = BatchSize;
        var condT = torch.tensor(condition, new long[] { n, 3, s, s }, dtype: ScalarType.Float32);
        var targT = torch.tensor(target, new long[] { n, 3, s, s }, dtype: ScalarType.Float32);
        var maskT = mask is null ? null : torch.tensor(mask, new long[] { n, 1, s, s }, dtype: ScalarType.Float32);
        return new PairBatch(condT, targT, maskT, p, samples, taskIds);
    }

    private void Check(float[] data, int expected, string what)
    {
        if (data.Length != expected)
            throw new InvalidOperationException($"Task '{_task.Name}' returned a {what} of {data.Length} floats, expected {expected}.");
    }

    private RgbImage? TryLoad(int item)
    {
        if (_bad.ContainsKey(item)) return null;
        if (_cache.TryGetValue(item, out var cached)) return cached;
        try
        {
            var image = _folder.Load(item);
            if (_cacheImages) _cache[item] = image;
            return image;
        }
        catch (ImageDecodeException e)
        {
            var skipped = new SkippedFile(item, _folder.NameOf(item), e.Reason);
            _bad[item] = skipped;
            _skipped.Add(skipped);
            _logger.LogWarning("Skipping undecodable image {Path}: {Reason}", e.Path, e.Reason);
            return null;
        }
    }
}
