using System.Security.Cryptography;

namespace PaletteCluster.CheckpointFormat;

/// <summary>
/// Write-only stream wrapper that computes the SHA-256 and byte count of everything written through it, so a file
/// is hashed while it is written instead of being read back afterwards.
/// </summary>
public sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _finalHash;

    public HashingStream(Stream inner, bool leaveOpen = false)
    {
        if (!inner.CanWrite) throw new ArgumentException("Inner stream must be writable.", nameof(inner));
        _inner = inner;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes written so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Lowercase hex SHA-256 of all bytes written; after this call no more writes are accepted.</summary>
    public string GetHashHex()
    {
        _finalHash ??= Convert.ToHexStringLower(_hash.GetHashAndReset());
        return _finalHash;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => BytesWritten;

    public override long Position
    {
        get => BytesWritten;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_finalHash is not null) throw new InvalidOperationException("The hash has already been finalized.");
        _hash.AppendData(buffer);
        _inner.Write(buffer);
        BytesWritten += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => _inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!_leaveOpen) _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
