using System.Text;

namespace PaletteCluster.Data.Shards;

/// <summary>
/// POSIX ustar header layout (512-byte blocks) shared by <see cref="UstarWriter"/> and <see cref="UstarReader"/>.
/// Offsets are from POSIX.1-1988; numeric fields are NUL-terminated octal (GNU base-256 is read, never written).
/// </summary>
internal static class TarHeader
{
    public const int BlockSize = 512;
    public const int NameLength = 100;
    public const int PrefixLength = 155;
    /// <summary>11 octal digits: the largest size a plain ustar header can state.</summary>
    public const long MaxOctalSize = 0x1_FFFF_FFFFL; // 8 GiB - 1

    public const int NameOffset = 0, ModeOffset = 100, UidOffset = 108, GidOffset = 116, SizeOffset = 124,
        MtimeOffset = 136, ChecksumOffset = 148, TypeOffset = 156, LinkNameOffset = 157, MagicOffset = 257,
        VersionOffset = 263, UnameOffset = 265, GnameOffset = 297, PrefixOffset = 345;

    /// <summary>Bytes of zero padding after <paramref name="size"/> bytes of data to reach a block boundary.</summary>
    public static int Padding(long size) => (int)((BlockSize - size % BlockSize) % BlockSize);

    /// <summary>Header + data + padding: what one entry of <paramref name="size"/> bytes occupies.</summary>
    public static long EntryLength(long size) => BlockSize + size + Padding(size);

    /// <summary>Sum of all header bytes with the checksum field counted as eight spaces.</summary>
    public static long Checksum(ReadOnlySpan<byte> header)
    {
        long sum = 0;
        for (int i = 0; i < BlockSize; i++)
            sum += i is >= ChecksumOffset and < ChecksumOffset + 8 ? (byte)' ' : header[i];
        return sum;
    }

    public static void WriteOctal(Span<byte> header, int offset, int length, long value)
    {
        // length-1 octal digits, zero-padded, then NUL.
        string digits = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        if (digits.Length > length - 1)
            throw new ArgumentOutOfRangeException(nameof(value), $"{value} does not fit a {length}-byte tar octal field.");
        Encoding.ASCII.GetBytes(digits, header.Slice(offset, length - 1));
        header[offset + length - 1] = 0;
    }

    /// <summary>Parses an octal field (spaces/NULs allowed around it) or a GNU base-256 field (high bit set).</summary>
    public static long ReadNumber(ReadOnlySpan<byte> header, int offset, int length, string archive, string field)
    {
        var f = header.Slice(offset, length);
        if ((f[0] & 0x80) != 0)
        {
            long v = f[0] & 0x7F;
            for (int i = 1; i < f.Length; i++)
            {
                if (v > (long.MaxValue >> 8)) throw new TarFormatException(archive, $"header field '{field}' overflows");
                v = (v << 8) | f[i];
            }
            return v;
        }
        long result = 0;
        int j = 0;
        while (j < f.Length && (f[j] == (byte)' ' || f[j] == 0)) j++;
        for (; j < f.Length && f[j] is >= (byte)'0' and <= (byte)'7'; j++)
            result = checked(result * 8 + (f[j] - '0'));
        for (; j < f.Length; j++)
            if (f[j] != 0 && f[j] != (byte)' ')
                throw new TarFormatException(archive, $"header field '{field}' is not an octal number");
        return result;
    }

    /// <summary>A NUL-terminated (or full-width) UTF-8 string field.</summary>
    public static string ReadString(ReadOnlySpan<byte> header, int offset, int length)
    {
        var f = header.Slice(offset, length);
        int end = f.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? f : f[..end]);
    }
}
