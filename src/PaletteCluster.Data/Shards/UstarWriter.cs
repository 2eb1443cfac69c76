using System.Text;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// Streams regular-file entries into a POSIX ustar archive. Headers are deterministic (mode 0644, uid/gid 0,
/// empty owner names, a fixed mtime) so the same records always give byte-identical shards.
/// Names must be ASCII-safe and at most 100 bytes (shard keys are built to fit; no prefix split needed).
/// </summary>
public sealed class UstarWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _mtime;
    private bool _finished;

    /// <summary>Bytes written so far (headers, data, padding; the end-of-archive blocks once <see cref="Finish"/> ran).</summary>
    public long Position { get; private set; }

    /// <param name="mtimeUnixSeconds">stamped on every entry; fixed so output does not depend on the clock.</param>
    public UstarWriter(Stream stream, bool leaveOpen = false, long mtimeUnixSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _mtime = mtimeUnixSeconds;
    }

    public void WriteEntry(string name, ReadOnlySpan<byte> data)
    {
        if (_finished) throw new InvalidOperationException("The tar archive is already finished.");
        ValidateName(name);
        // A span is at most 2 GiB, well inside the 8 GiB an octal size field can state.

        Span<byte> header = stackalloc byte[TarHeader.BlockSize];
        header.Clear();
        Encoding.ASCII.GetBytes(name, header.Slice(TarHeader.NameOffset, TarHeader.NameLength));
        TarHeader.WriteOctal(header, TarHeader.ModeOffset, 8, Convert.ToInt32("644", 8));
        TarHeader.WriteOctal(header, TarHeader.UidOffset, 8, 0);
        TarHeader.WriteOctal(header, TarHeader.GidOffset, 8, 0);
        TarHeader.WriteOctal(header, TarHeader.SizeOffset, 12, data.Length);
        TarHeader.WriteOctal(header, TarHeader.MtimeOffset, 12, _mtime);
        header[TarHeader.TypeOffset] = (byte)'0';
        "ustar\0"u8.CopyTo(header[TarHeader.MagicOffset..]);
        "00"u8.CopyTo(header[TarHeader.VersionOffset..]);
        // Checksum: six octal digits, NUL, space (the traditional layout every tar accepts).
        long sum = TarHeader.Checksum(header);
        TarHeader.WriteOctal(header, TarHeader.ChecksumOffset, 7, sum);
        header[TarHeader.ChecksumOffset + 7] = (byte)' ';

        _stream.Write(header);
        _stream.Write(data);
        int pad = TarHeader.Padding(data.Length);
        if (pad > 0) _stream.Write(new byte[pad]);
        Position += TarHeader.EntryLength(data.Length);
    }

    /// <summary>Writes the two zero blocks that end the archive and flushes. Idempotent.</summary>
    public void Finish()
    {
        if (_finished) return;
        _stream.Write(new byte[2 * TarHeader.BlockSize]);
        Position += 2 * TarHeader.BlockSize;
        _stream.Flush();
        _finished = true;
    }

    public void Dispose()
    {
        Finish();
        if (!_leaveOpen) _stream.Dispose();
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > TarHeader.NameLength)
            throw new ArgumentException($"Tar entry name '{name}' is longer than {TarHeader.NameLength} bytes.", nameof(name));
        foreach (char c in name)
            if (c < 0x20 || c > 0x7E)
                throw new ArgumentException($"Tar entry name '{name}' has a non-printable or non-ASCII character.", nameof(name));
    }
}
