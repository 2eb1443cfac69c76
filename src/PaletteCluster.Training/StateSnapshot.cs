using static TorchSharp.torch;

namespace PaletteCluster.Training;

/// <summary>
/// A reusable copy of a trainer's tensors, for checkpoints written while training goes on. Each checkpoint file gets
/// one flat buffer (one allocation, not hundreds), allocated by the first capture and refilled by later ones:
/// fresh memory costs a page fault per 4 KiB on first touch, which on the 2-core VM made copying the 1 GB state of
/// `small` into new memory (4.9 s) slower than writing it to disk (1.5 s). The copies stay valid until the next
/// capture, so their owner must not capture again while a write of them is in flight.
/// </summary>
public sealed class StateSnapshot : IDisposable
{
    private readonly Dictionary<string, FileCopy> _files = new(StringComparer.Ordinal);

    /// <summary>Copies <paramref name="live"/> into this snapshot's buffers for <paramref name="file"/>; returns the copies by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Copy(string file, IReadOnlyDictionary<string, Tensor> live)
    {
        if (!_files.TryGetValue(file, out var copy) || !copy.Fits(live))
        {
            copy?.Dispose();
            _files[file] = copy = FileCopy.Allocate(live);
        }
        using (no_grad())
        {
            foreach (var (name, source) in live) Fill(copy.Views[name], source);
        }
        return copy.Views;
    }

    public void Dispose()
    {
        foreach (var copy in _files.Values) copy.Dispose();
        _files.Clear();
    }

    private static void Fill(Tensor target, Tensor source)
    {
        long bytes = source.numel() * source.ElementSize;
        if (source.device_type == TorchSharp.DeviceType.CPU && source.is_contiguous() && bytes <= int.MaxValue)
        {
            // A plain memory copy on this thread: libtorch's copy_ would start its thread pool for every tensor.
            source.bytes.CopyTo(target.bytes);
            return;
        }
        target.copy_(source); // device to device: queued on the device, no host wait
    }

    /// <summary>The buffers of one checkpoint file and the views named like the live tensors.</summary>
    private sealed class FileCopy(List<Tensor> owned, Dictionary<string, Tensor> views) : IDisposable
    {
        public Dictionary<string, Tensor> Views { get; } = views;

        public static FileCopy Allocate(IReadOnlyDictionary<string, Tensor> live)
        {
            var views = new Dictionary<string, Tensor>(live.Count, StringComparer.Ordinal);
            var first = live.Values.FirstOrDefault();
            bool uniform = first is not null && live.Values.All(t =>
                t.dtype == first.dtype && t.device_type == first.device_type && t.device_index == first.device_index);
            if (!uniform)
            {
                foreach (var (name, t) in live) views[name] = empty(t.shape, t.dtype, t.device).DetachFromDisposeScope();
                return new FileCopy([.. views.Values], views);
            }

            long total = live.Values.Sum(t => t.numel());
            var buffer = empty([total], first!.dtype, first.device).DetachFromDisposeScope();
            long offset = 0;
            foreach (var (name, t) in live)
            {
                long count = t.numel();
                using var slice = buffer.narrow(0, offset, count);
                views[name] = slice.view(t.shape).DetachFromDisposeScope();
                offset += count;
            }
            return new FileCopy([buffer, .. views.Values], views);
        }

        public bool Fits(IReadOnlyDictionary<string, Tensor> live) =>
            live.Count == Views.Count && live.All(kv => Views.TryGetValue(kv.Key, out var v)
                && v.dtype == kv.Value.dtype && v.device_type == kv.Value.device_type && v.device_index == kv.Value.device_index
                && v.shape.SequenceEqual(kv.Value.shape));

        public void Dispose()
        {
            foreach (var t in owned) t.Dispose();
        }
    }
}
