using System.Text;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// Reads the regular files of a tar archive in order, streaming. Besides the ustar entries <see cref="UstarWriter"/>
/// writes, it understands what GNU/BSD tar produce by default (GNU '././@LongLink' names, pax 'x' headers with
/// path/size, the ustar prefix field), and skips directories, links and other non-file entries.
/// Every header checksum is verified.
/// </summary>
public sealed class UstarReader : IDisposable
{
    private readonly Stream _stream;
    private readonly string _archive;
    private readonly bool _leaveOpen;
    private long _position;
    private bool _ended;

    /// <param name="archiveName">names the archive in error messages (usually its path).</param>
    public UstarReader(Stream stream, string archiveName, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _archive = archiveName;
        _leaveOpen = leaveOpen;
        _position = stream.CanSeek ? stream.Position : 0;
    }

    /// <summary>All regular-file entries with their data.</summary>
    public IEnumerable<TarEntry> ReadAll()
    {
        while (Next() is { } e) yield return e;
    }

    /// <summary>The next regular file, or null at the end of the archive.</summary>
    /// <param name="readData">false: only the header is read and the data skipped (seeks when it can).</param>
    public TarEntry? Next(bool readData = true)
    {
        if (_ended) return null;
        var header = new byte[TarHeader.BlockSize];
        string? longName = null;
        long? paxSize = null;
        while (true)
        {
            long headerAt = _position;
            int got = ReadFully(header);
            if (got == 0)
            {
                // EOF without the end-of-archive blocks: tolerated (some writers omit them), like GNU tar.
                _ended = true;
                return null;
            }
            if (got < header.Length)
                throw new TarFormatException(_archive, $"truncated header at offset {headerAt}");
            if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                _ended = true;
                return null;
            }

            long stored = TarHeader.ReadNumber(header, TarHeader.ChecksumOffset, 8, _archive, "chksum");
            if (stored != TarHeader.Checksum(header) && stored != SignedChecksum(header))
                throw new TarFormatException(_archive,
                    $"header checksum mismatch at offset {headerAt} (stored {stored}, computed {TarHeader.Checksum(header)}); the archive is corrupt");

            char type = (char)header[TarHeader.TypeOffset];
            long size = paxSize ?? TarHeader.ReadNumber(header, TarHeader.SizeOffset, 12, _archive, "size");
            string name = longName ?? HeaderName(header);

            switch (type)
            {
                case 'L': // GNU long name for the next entry
                    longName = Encoding.UTF8.GetString(ReadData(size, headerAt)).TrimEnd('\0');
                    continue;
                case 'x': // pax extended header for the next entry
                {
                    var pax = ParsePax(ReadData(size, headerAt), headerAt);
                    if (pax.TryGetValue("path", out var p)) longName = p;
                    if (pax.TryGetValue("size", out var s))
                        paxSize = long.TryParse(s, out var v) ? v
                            : throw new TarFormatException(_archive, $"pax size '{s}' at offset {headerAt} is not a number");
                    continue;
                }
                case '0' or '\0' or '7':
                {
                    long dataAt = _position;
                    byte[]? data = readData ? ReadData(size, headerAt) : SkipData(size, headerAt);
                    return new TarEntry(name, size, dataAt, data);
                }
                default:
                    // Directories, links, devices, global pax headers, GNU 'K'/'V'/'M': not files; skip their data.
                    // Hard/sym links and devices carry size 0 in practice; '5' is a directory.
                    SkipData(type is '1' or '2' or '3' or '4' or '5' or '6' ? 0 : size, headerAt);
                    longName = null;
                    paxSize = null;
                    continue;
            }
        }
    }

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }

    private static string HeaderName(byte[] header)
    {
        string name = TarHeader.ReadString(header, TarHeader.NameOffset, TarHeader.NameLength);
        // Only POSIX ustar ("ustar\0") has a prefix field; GNU ("ustar  ") keeps times there.
        bool posix = header.AsSpan(TarHeader.MagicOffset, 6).SequenceEqual("ustar\0"u8);
        if (!posix) return name;
        string prefix = TarHeader.ReadString(header, TarHeader.PrefixOffset, TarHeader.PrefixLength);
        return prefix.Length == 0 ? name : prefix + "/" + name;
    }

    /// <summary>Old tars summed the header as signed bytes; still accepted.</summary>
    private static long SignedChecksum(byte[] header)
    {
        long sum = 0;
        for (int i = 0; i < header.Length; i++)
            sum += i is >= TarHeader.ChecksumOffset and < TarHeader.ChecksumOffset + 8 ? ' ' : (sbyte)header[i];
        return sum;
    }

    private Dictionary<string, string> ParsePax(byte[] data, long headerAt)
    {
        // Records: "<decimal length> <key>=<value>\n", length counting the whole record.
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        while (i < data.Length && data[i] != 0)
        {
            int space = Array.IndexOf(data, (byte)' ', i);
            if (space < 0 || !int.TryParse(Encoding.ASCII.GetString(data, i, space - i), out int len) || len <= 0 || i + len > data.Length)
                throw new TarFormatException(_archive, $"malformed pax header at offset {headerAt}");
            string record = Encoding.UTF8.GetString(data, space + 1, i + len - space - 2);
            int eq = record.IndexOf('=');
            if (eq > 0) result[record[..eq]] = record[(eq + 1)..];
            i += len;
        }
        return result;
    }

    private byte[] ReadData(long size, long headerAt)
    {
        if (size > Array.MaxLength)
            throw new TarFormatException(_archive, $"entry at offset {headerAt} is {size} bytes, too large to read into memory");
        var data = new byte[size];
        if (ReadFully(data) < size)
            throw new TarFormatException(_archive, $"entry at offset {headerAt} is truncated (archive ends inside its {size} bytes of data)");
        SkipRaw(TarHeader.Padding(size), headerAt, allowEof: true);
        return data;
    }

    private byte[]? SkipData(long size, long headerAt)
    {
        long total = size + TarHeader.Padding(size);
        if (total == 0) return null;
        if (_stream.CanSeek)
        {
            if (_position + size > _stream.Length)
                throw new TarFormatException(_archive, $"entry at offset {headerAt} is truncated (archive ends inside its {size} bytes of data)");
            long target = Math.Min(_position + total, _stream.Length);
            _stream.Seek(target, SeekOrigin.Begin);
            _position = target;
            return null;
        }
        SkipRaw(size, headerAt, allowEof: false);
        SkipRaw(TarHeader.Padding(size), headerAt, allowEof: true);
        return null;
    }

    private void SkipRaw(long count, long headerAt, bool allowEof)
    {
        var buffer = new byte[(int)Math.Min(Math.Max(count, 1), 81920)];
        while (count > 0)
        {
            int n = _stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0)
            {
                if (allowEof) return;
                throw new TarFormatException(_archive, $"entry at offset {headerAt} is truncated");
            }
            _position += n;
            count -= n;
        }
    }

    private int ReadFully(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = _stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        _position += total;
        return total;
    }
}
