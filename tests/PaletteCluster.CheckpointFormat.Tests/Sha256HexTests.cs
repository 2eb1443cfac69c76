using System.Text;

namespace PaletteCluster.CheckpointFormat.Tests;

public class Sha256HexTests
{
    // FIPS 180-2, appendix B.1: SHA-256("abc").
    private const string AbcDigest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    [Fact]
    public void Stream_file_and_hashing_writer_agree_on_a_known_digest()
    {
        var bytes = Encoding.ASCII.GetBytes("abc");
        Assert.Equal(AbcDigest, Sha256Hex.Of(new MemoryStream(bytes)));

        using var root = new TempFolder();
        var path = root.Combine("abc.bin");
        File.WriteAllBytes(path, bytes);
        Assert.Equal(AbcDigest, Sha256Hex.OfFile(path));

        using var sink = new MemoryStream();
        using var hashing = new HashingStream(sink, leaveOpen: true);
        hashing.Write(bytes, 0, 1);
        hashing.Write(bytes.AsSpan(1));
        Assert.Equal((AbcDigest, 3L), (hashing.GetHashHex(), hashing.BytesWritten));
        Assert.Equal(bytes, sink.ToArray());
        Assert.Throws<InvalidOperationException>(() => hashing.WriteByte(1));
    }

    [Fact]
    public void Only_lowercase_64_digit_hex_counts_as_a_recorded_hash()
    {
        Assert.True(Sha256Hex.IsValid(AbcDigest));
        Assert.False(Sha256Hex.IsValid(AbcDigest.ToUpperInvariant()));
        Assert.False(Sha256Hex.IsValid(AbcDigest[1..]));
        Assert.False(Sha256Hex.IsValid(AbcDigest[..^1] + "g"));
        Assert.False(Sha256Hex.IsValid(null));
    }
}
