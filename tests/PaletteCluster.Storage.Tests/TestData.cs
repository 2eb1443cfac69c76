namespace PaletteCluster.Storage.Tests;

internal static class TestData
{
    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<byte[]> ReadAllAsync(IBlobStore store, string name)
    {
        await using var stream = await store.OpenReadAsync(name);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    public static string TempFolder(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), $"palette-{purpose}-{Guid.NewGuid():N}"[..(purpose.Length + 20)]);
        Directory.CreateDirectory(path);
        return path;
    }
}

/// <summary>
/// Serves bytes from memory and runs <paramref name="onThreshold"/> once, the first time reading passes
/// <paramref name="threshold"/> bytes: the hook tests use to cancel an upload or kill the server mid-way.
/// </summary>
internal sealed class TriggerStream(byte[] data, long threshold, Action onThreshold) : Stream
{
    private readonly MemoryStream _inner = new(data, writable: false);
    private bool _fired;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (!_fired && _inner.Position >= threshold)
        {
            _fired = true;
            onThreshold();
        }
        // Small reads so the threshold is hit close to where it is set.
        return _inner.Read(buffer, offset, Math.Min(count, 64 * 1024));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var array = new byte[Math.Min(buffer.Length, 64 * 1024)];
        var read = Read(array, 0, array.Length);
        array.AsSpan(0, read).CopyTo(buffer.Span);
        return ValueTask.FromResult(read);
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _inner.Length;
    public override long Position { get => _inner.Position; set => _inner.Position = value; }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
