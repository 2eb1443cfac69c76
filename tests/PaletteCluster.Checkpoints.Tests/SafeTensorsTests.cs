using System.Buffers.Binary;
using System.Text;
using TorchSharp;
using static PaletteCluster.Checkpoints.Tests.TestUtil;
using static TorchSharp.torch;

namespace PaletteCluster.Checkpoints.Tests;

public class SafeTensorsTests
{
    private static Dictionary<string, Tensor> ManyDTypes()
    {
        var gen = new Generator(7);
        var f32 = randn([3, 4], generator: gen);
        f32[0, 0] = tensor(float.NaN);
        f32[0, 1] = tensor(-0.0f);
        return new Dictionary<string, Tensor>
        {
            ["f32"] = f32,
            ["bf16"] = randn([2, 3, 5], generator: gen).to(ScalarType.BFloat16),
            ["f16"] = randn([4], generator: gen).to(ScalarType.Float16),
            ["f64"] = randn([5], generator: gen, dtype: ScalarType.Float64),
            ["i64"] = arange(-4, 4, dtype: ScalarType.Int64).reshape(2, 2, 2) * 1_000_000_000_000L,
            ["i32"] = arange(0, 6, dtype: ScalarType.Int32).reshape(3, 2),
            ["u8"] = randint(0, 256, [7], generator: gen, dtype: ScalarType.Byte),
            ["bool"] = tensor(new[] { true, false, true }),
            ["scalar"] = tensor(3.25f),
            ["scalar_i64"] = tensor(-9L),
            ["empty"] = zeros(0, 3),
            ["empty_u8"] = empty(new long[] { 4, 0 }, ScalarType.Byte),
            ["transposed"] = arange(0, 12, dtype: ScalarType.Float32).reshape(3, 4).t(), // not contiguous
        };
    }

    [Fact]
    public void RoundTrip_AllDTypesAndShapes_IsBitwiseExact()
    {
        using var dir = new TempDir();
        var path = dir.Combine("t.safetensors");
        var tensors = ManyDTypes();
        SafeTensors.WriteFile(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "héllo" });

        var loaded = SafeTensors.ReadFile(path, out var metadata);

        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), loaded.Keys);
        foreach (var (name, t) in tensors) AssertBitwiseEqual(t, loaded[name]);
        Assert.Equal(new long[] { 4, 3 }, loaded["transposed"].shape);
        Assert.Equal(0, loaded["scalar"].dim());
        Assert.Equal("héllo", metadata["note"]);
        Assert.Equal("pt", metadata["format"]);
    }

    [Fact]
    public void RoundTrip_ChunkedCopyPath_IsBitwiseExact()
    {
        // Large tensors (> CopyChunk bytes) are copied through 1-D slices; force that path with a tiny chunk size.
        var saved = SafeTensors.CopyChunk;
        SafeTensors.CopyChunk = 12;
        try
        {
            using var dir = new TempDir();
            var path = dir.Combine("chunked.safetensors");
            var tensors = new Dictionary<string, Tensor>
            {
                ["a"] = randn(5, 7),
                ["b"] = arange(0, 101, dtype: ScalarType.Int64),
                ["c"] = randn(3, 9).t(),
            };
            SafeTensors.WriteFile(path, tensors);
            var loaded = SafeTensors.ReadFile(path);
            foreach (var (name, t) in tensors) AssertBitwiseEqual(t, loaded[name]);
        }
        finally
        {
            SafeTensors.CopyChunk = saved;
        }
    }

    [Fact]
    public void ByteLayout_OfTinyFile_MatchesSpec()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = tensor(new[] { 1.0f, 2.0f }),
            ["a"] = tensor(new byte[] { 1, 2, 3 }),
        };
        using var ms = new MemoryStream();
        var written = SafeTensors.Write(ms, tensors, new Dictionary<string, string> { ["k"] = "v" });
        var bytes = ms.ToArray();

        // Keys sorted; data laid out by descending element size (F32 before U8); header padded with spaces to 8.
        var json = """{"__metadata__":{"k":"v"},"a":{"dtype":"U8","shape":[3],"data_offsets":[8,11]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        var padded = json + new string(' ', (8 - json.Length % 8) % 8);
        var expected = new List<byte>();
        var n = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)padded.Length);
        expected.AddRange(n);
        expected.AddRange(Encoding.UTF8.GetBytes(padded));
        expected.AddRange(BitConverter.GetBytes(1.0f));
        expected.AddRange(BitConverter.GetBytes(2.0f));
        expected.AddRange(new byte[] { 1, 2, 3 });

        Assert.Equal(0, padded.Length % 8);
        Assert.Equal((long)bytes.Length, written);
        Assert.Equal(expected.ToArray(), bytes);
        Assert.Equal((ulong)padded.Length, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal(0, (8 + padded.Length) % 8); // data section starts 8-byte aligned
    }

    [Fact]
    public void Write_SameContent_GivesIdenticalBytes_RegardlessOfInsertionOrder()
    {
        var tensors = ManyDTypes();
        var reversed = tensors.Reverse().ToDictionary(kv => kv.Key, kv => kv.Value);
        var meta1 = new Dictionary<string, string> { ["x"] = "1", ["a"] = "2" };
        var meta2 = new Dictionary<string, string> { ["a"] = "2", ["x"] = "1" };

        using var s1 = new MemoryStream();
        using var s2 = new MemoryStream();
        using var s3 = new MemoryStream();
        SafeTensors.Write(s1, tensors, meta1);
        SafeTensors.Write(s2, reversed, meta2);
        SafeTensors.Write(s3, tensors, meta1);

        Assert.Equal(s1.ToArray(), s2.ToArray());
        Assert.Equal(s1.ToArray(), s3.ToArray());
    }

    [Fact]
    public void Read_ForeignKeyOrderAndLayout_Works()
    {
        // As another writer may produce: metadata last, data in name order, no alignment sorting.
        using var dir = new TempDir();
        var path = dir.Combine("foreign.safetensors");
        var data = new List<byte> { 7, 8 };
        data.AddRange(BitConverter.GetBytes(1.5));
        WriteRaw(path, """{"z":{"shape":[],"dtype":"F64","data_offsets":[2,10]},"a":{"dtype":"U8","data_offsets":[0,2],"shape":[1,2]},"__metadata__":{"format":"pt"}}""",
            data.ToArray());

        var loaded = SafeTensors.ReadFile(path, out var metadata);

        Assert.Equal(new byte[] { 7, 8 }, Bytes(loaded["a"]));
        Assert.Equal(new long[] { 1, 2 }, loaded["a"].shape);
        Assert.Equal(1.5, loaded["z"].item<double>());
        Assert.Equal(ScalarType.Float64, loaded["z"].dtype);
        Assert.Equal("pt", metadata["format"]);
    }

    [Theory]
    [InlineData("truncated-file", "truncated header")]
    [InlineData("truncated-header", "truncated header")]
    [InlineData("bad-json", "cannot be parsed")]
    [InlineData("out-of-range", "offsets out of range")]
    [InlineData("overlap", "overlaps")]
    [InlineData("gap", "gap")]
    [InlineData("unknown-dtype", "unknown or unsupported dtype 'Q4'")]
    [InlineData("shape-mismatch", "shape/byte-count mismatch")]
    [InlineData("negative-offset", "invalid offsets")]
    [InlineData("trailing", "trailing bytes")]
    public void Read_InvalidFile_ThrowsCheckpointException_NamingFileAndProblem(string kind, string expected)
    {
        using var dir = new TempDir();
        var path = dir.Combine($"{kind}.safetensors");
        var eight = new byte[8];
        switch (kind)
        {
            case "truncated-file":
                File.WriteAllBytes(path, [1, 2, 3]);
                break;
            case "truncated-header":
                var bytes = new byte[20];
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, 64);
                File.WriteAllBytes(path, bytes);
                break;
            case "bad-json":
                WriteRaw(path, """{"a": {"dtype": "F32", """, eight);
                break;
            case "out-of-range":
                WriteRaw(path, """{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", eight);
                break;
            case "overlap":
                WriteRaw(path, """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", eight);
                break;
            case "gap":
                WriteRaw(path, """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", eight);
                break;
            case "unknown-dtype":
                WriteRaw(path, """{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}""", eight);
                break;
            case "shape-mismatch":
                WriteRaw(path, """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", eight);
                break;
            case "negative-offset":
                WriteRaw(path, """{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", eight);
                break;
            case "trailing":
                WriteRaw(path, """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", eight);
                break;
        }

        var ex = Assert.Throws<CheckpointException>(() => SafeTensors.ReadFile(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Read_TruncatedData_ThrowsCheckpointException()
    {
        using var dir = new TempDir();
        var path = dir.Combine("cut.safetensors");
        SafeTensors.WriteFile(path, new Dictionary<string, Tensor> { ["w"] = randn(10, 10) });
        using (var f = new FileStream(path, FileMode.Open)) f.SetLength(f.Length - 17);

        var ex = Assert.Throws<CheckpointException>(() => SafeTensors.ReadFile(path));
        Assert.Contains("cut.safetensors", ex.Message);
        Assert.Contains("out of range", ex.Message);
    }

    [Fact]
    public void Write_RejectsUnsupportedDTypeAndReservedName()
    {
        using var ms = new MemoryStream();
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(ms,
            new Dictionary<string, Tensor> { ["c"] = zeros(2, dtype: ScalarType.ComplexFloat32) }));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(ms,
            new Dictionary<string, Tensor> { ["__metadata__"] = zeros(2) }));
    }

    [Fact]
    public void ReadHeader_ReportsOffsetsAndDataStart()
    {
        using var dir = new TempDir();
        var path = dir.Combine("h.safetensors");
        SafeTensors.WriteFile(path, new Dictionary<string, Tensor> { ["x"] = zeros(3, dtype: ScalarType.Float64), ["y"] = zeros(2, dtype: ScalarType.Int32) });
        var header = SafeTensors.ReadHeader(path);

        Assert.Equal(0, header.DataStart % 8);
        Assert.Equal(new FileInfo(path).Length, header.DataStart + header.DataLength);
        Assert.Equal(["x", "y"], header.Tensors.Select(t => t.Name));
        Assert.Equal((0L, 24L), (header.Tensors[0].Begin, header.Tensors[0].End));
        Assert.Equal((24L, 32L), (header.Tensors[1].Begin, header.Tensors[1].End));
    }

    private static void WriteRaw(string path, string headerJson, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        using var f = File.Create(path);
        var n = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)header.Length);
        f.Write(n);
        f.Write(header);
        f.Write(data);
    }
}
