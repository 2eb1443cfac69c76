using System.Security.Cryptography;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// A read-only pass-through that hashes (SHA-256) what is read and reports the position after each read, so an
/// upload both shows progress and proves it sent what the manifest says. Rewinding to the start (a retried upload
/// replays its stream) restarts the hash; no other seek is allowed.
/// </summary>
internal sealed class HashingReadStream(Stream inner, Action<long>? onPosition = null) : Stream
{
    private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _position;

    /// <summary>Lowercase hex SHA-256 of everything read since the start.</summary>
    public string HashHex() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    public override int Read(Span<byte> buffer) => Advance(buffer, inner.Read(buffer));

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await inner.ReadAsync(buffer, cancellationToken);
        return Advance(buffer.Span, read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Advance(ReadOnlySpan<byte> buffer, int read)
    {
        _hash.AppendData(buffer[..read]);
        _position += read;
        onPosition?.Invoke(_position);
        return read;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => _position;
        set
        {
            if (value != 0) throw new NotSupportedException("A hashing stream can only be rewound to its start.");
            inner.Position = 0;
            _hash.Dispose();
            _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            _position = 0;
            onPosition?.Invoke(0);
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (origin != SeekOrigin.Begin) throw new NotSupportedException("A hashing stream can only be rewound to its start.");
        Position = offset;
        return 0;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
