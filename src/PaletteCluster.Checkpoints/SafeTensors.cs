using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using PaletteCluster.CheckpointFormat;
using TorchSharp;
using static TorchSharp.torch;

namespace PaletteCluster.Checkpoints;

/// <summary>One tensor entry of a safetensors header. Offsets are relative to the start of the data section.</summary>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long ByteCount => End - Begin;

    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));
}

/// <summary>A parsed and validated safetensors header.</summary>
/// <param name="HeaderLength">N, the JSON header length stored in the first 8 bytes (includes space padding).</param>
/// <param name="Tensors">Entries in ordinal name order.</param>
/// <param name="Metadata">The <c>__metadata__</c> map (empty when absent).</param>
public sealed record SafeTensorsHeader(
    long HeaderLength,
    IReadOnlyList<SafeTensorInfo> Tensors,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>File offset of the first data byte (8 + N).</summary>
    public long DataStart => 8 + HeaderLength;

    /// <summary>Length of the data section (the end of the last tensor).</summary>
    public long DataLength => Tensors.Count == 0 ? 0 : Tensors.Max(t => t.End);
}

/// <summary>
/// Reader/writer for the safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length N, N bytes of UTF-8 JSON padded with spaces to a multiple of 8, then the raw little-endian,
/// row-major tensor bytes. Output is deterministic: header keys are sorted ordinally and the data is laid out by
/// descending element size, then name (the upstream convention, which keeps every tensor naturally aligned).
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted when reading (the upstream limit).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";
    /// <summary>Largest span copied at once between a tensor and a stream (settable by tests).</summary>
    internal static int CopyChunk = 64 << 20;

    private static readonly (string Name, ScalarType Type, int Size)[] DTypes =
    [
        ("F64", ScalarType.Float64, 8),
        ("F32", ScalarType.Float32, 4),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8),
        ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2),
        ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1),
        ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>The safetensors dtype names this implementation reads and writes.</summary>
    public static IReadOnlyList<string> SupportedDTypes { get; } = DTypes.Select(d => d.Name).ToArray();

    /// <summary>Safetensors dtype name of a TorchSharp scalar type; throws for unsupported types.</summary>
    public static string DTypeName(ScalarType type)
    {
        foreach (var d in DTypes)
            if (d.Type == type) return d.Name;
        throw new ArgumentException($"Tensor dtype {type} cannot be stored in safetensors by this writer " +
                                    $"(supported: {string.Join(", ", SupportedDTypes)}).");
    }

    private static bool TryParseDType(string name, out ScalarType type, out int size)
    {
        foreach (var d in DTypes)
        {
            if (d.Name == name)
            {
                (type, size) = (d.Type, d.Size);
                return true;
            }
        }
        (type, size) = (default, 0);
        return false;
    }

    // ------------------------------------------------------------------------------------------------ writing

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device, any layout; copied to contiguous CPU memory as needed) and
    /// optional string metadata to <paramref name="stream"/>. Returns the number of bytes written.
    /// </summary>
    public static long Write(
        Stream stream,
        IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        EnsureLittleEndian();

        // Data order: larger elements first (keeps natural alignment), then ordinal name.
        var entries = tensors
            .Select(kv =>
            {
                if (string.IsNullOrEmpty(kv.Key)) throw new ArgumentException("Tensor names must be non-empty.");
                if (kv.Key == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.");
                ArgumentNullException.ThrowIfNull(kv.Value, $"tensor '{kv.Key}'");
                var dtype = DTypeName(kv.Value.dtype);
                TryParseDType(dtype, out _, out var size);
                var shape = kv.Value.shape;
                var bytes = checked(shape.Aggregate(1L, (a, b) => a * b) * size);
                return (Name: kv.Key, Tensor: kv.Value, DType: dtype, Size: size, Shape: shape, Bytes: bytes);
            })
            .OrderByDescending(e => e.Size)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToList();

        var offsets = new Dictionary<string, (long Begin, long End)>(StringComparer.Ordinal);
        long position = 0;
        foreach (var e in entries)
        {
            offsets[e.Name] = (position, position + e.Bytes);
            position += e.Bytes;
        }

        var header = BuildHeader(entries.Select(e => (e.Name, e.DType, e.Shape)), offsets, metadata);
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)header.Length);
        stream.Write(lengthBytes);
        stream.Write(header);

        foreach (var e in entries)
            WriteTensorBytes(stream, e.Tensor, e.Bytes);

        return 8 + header.Length + position;
    }

    /// <summary>Writes a safetensors file (created or truncated) and flushes it to disk (fsync).</summary>
    public static void WriteFile(
        string path,
        IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Write(file, tensors, metadata);
        file.Flush(flushToDisk: true);
    }

    private static byte[] BuildHeader(
        IEnumerable<(string Name, string DType, long[] Shape)> entries,
        IReadOnlyDictionary<string, (long Begin, long End)> offsets,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
               {
                   Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
                   Indented = false,
               }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var kv in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    ArgumentNullException.ThrowIfNull(kv.Value, $"metadata '{kv.Key}'");
                    json.WriteString(kv.Key, kv.Value);
                }
                json.WriteEndObject();
            }
            foreach (var (name, dtype, shape) in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (var d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offsets[name].Begin);
                json.WriteNumberValue(offsets[name].End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void WriteTensorBytes(Stream stream, Tensor tensor, long byteCount)
    {
        if (byteCount == 0) return;
        Tensor? cpu = null, contiguous = null;
        try
        {
            var source = tensor;
            if (source.device_type != DeviceType.CPU) source = cpu = source.cpu();
            if (!source.is_contiguous()) source = contiguous = source.contiguous();
            if (source.is_conj() || source.is_neg())
                throw new ArgumentException("Tensors with a lazy conjugate/negative bit are not supported.");
            // Tensor.bytes is a span over the tensor's own (CPU) memory: no managed copy.
            ForEachChunk(source, byteCount, span => stream.Write(span));
        }
        finally
        {
            contiguous?.Dispose();
            cpu?.Dispose();
        }
    }

    /// <summary>
    /// Calls <paramref name="action"/> with spans covering the memory of a contiguous CPU tensor, in order.
    /// Tensor.bytes is limited to int.MaxValue bytes, so larger tensors are visited as 1-D slices.
    /// </summary>
    private static void ForEachChunk(Tensor tensor, long byteCount, SpanAction action)
    {
        if (byteCount <= CopyChunk)
        {
            action(tensor.bytes);
            return;
        }
        var elementSize = byteCount / tensor.numel();
        var perChunk = Math.Max(1, CopyChunk / elementSize);
        using var flat = tensor.view(-1);
        var count = flat.shape[0];
        for (long start = 0; start < count; start += perChunk)
        {
            using var slice = flat.narrow(0, start, Math.Min(perChunk, count - start));
            action(slice.bytes);
        }
    }

    private delegate void SpanAction(Span<byte> span);

    // ------------------------------------------------------------------------------------------------ reading

    /// <summary>Reads and validates only the header of a safetensors file.</summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var file = OpenRead(path);
        return ReadHeader(file, path);
    }

    /// <summary>
    /// Reads and validates the header from a seekable stream positioned at the start of a safetensors file.
    /// <paramref name="sourceName"/> names the file in error messages.
    /// </summary>
    public static SafeTensorsHeader ReadHeader(Stream stream, string sourceName)
    {
        long total = stream.Length - stream.Position;
        if (total < 8)
            throw Error(sourceName, $"truncated header: the file has {total} bytes, fewer than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (n > MaxHeaderLength)
            throw Error(sourceName, $"invalid header: the header length is {n} bytes (more than the {MaxHeaderLength} allowed)");
        if ((long)n > total - 8)
            throw Error(sourceName, $"truncated header: the header length is {n} bytes but only {total - 8} bytes follow");

        var headerBytes = new byte[n];
        stream.ReadExactly(headerBytes);
        var tensors = new List<SafeTensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(headerBytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Error(sourceName, "invalid header: the JSON header is not an object");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == MetadataKey)
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw Error(sourceName, $"invalid header: '{MetadataKey}' is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw Error(sourceName, $"invalid header: metadata '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                tensors.Add(ParseEntry(sourceName, prop));
            }
        }
        catch (JsonException ex)
        {
            throw new CheckpointException($"{sourceName}: invalid header: the JSON header cannot be parsed ({ex.Message})", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new CheckpointException($"{sourceName}: invalid header: {ex.Message}", ex);
        }

        var header = new SafeTensorsHeader(
            (long)n,
            tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray(),
            metadata);
        ValidateOffsets(sourceName, header, total - 8 - (long)n);
        return header;
    }

    private static SafeTensorInfo ParseEntry(string sourceName, JsonProperty prop)
    {
        var name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw Error(sourceName, $"invalid header: entry for tensor '{name}' is not an object");
        if (!v.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw Error(sourceName, $"invalid header: tensor '{name}' has no dtype");
        var dtype = dtypeEl.GetString()!;
        if (!TryParseDType(dtype, out _, out var size))
            throw Error(sourceName, $"tensor '{name}' has unknown or unsupported dtype '{dtype}' " +
                                    $"(supported: {string.Join(", ", SupportedDTypes)})");
        if (!v.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw Error(sourceName, $"invalid header: tensor '{name}' has no shape array");
        var shape = new long[shapeEl.GetArrayLength()];
        var i = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var dim) || dim < 0)
                throw Error(sourceName, $"invalid header: tensor '{name}' has an invalid shape {shapeEl.GetRawText()}");
            shape[i++] = dim;
        }
        if (!v.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array ||
            offEl.GetArrayLength() != 2)
            throw Error(sourceName, $"invalid header: tensor '{name}' has no [begin, end] data_offsets");
        var begin = ReadOffset(sourceName, name, offEl[0]);
        var end = ReadOffset(sourceName, name, offEl[1]);
        if (end < begin)
            throw Error(sourceName, $"invalid offsets: tensor '{name}' ends ({end}) before it begins ({begin})");

        long expected;
        try
        {
            expected = checked(shape.Aggregate(1L, (a, b) => a * b) * size);
        }
        catch (OverflowException)
        {
            throw Error(sourceName, $"invalid header: tensor '{name}' has an impossibly large shape [{string.Join(", ", shape)}]");
        }
        if (expected != end - begin)
            throw Error(sourceName, $"shape/byte-count mismatch: tensor '{name}' is {dtype} [{string.Join(", ", shape)}], " +
                                    $"which needs {expected} bytes, but its data_offsets [{begin}, {end}] span {end - begin} bytes");
        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    private static long ReadOffset(string sourceName, string name, JsonElement el)
    {
        if (el.ValueKind != JsonValueKind.Number || !el.TryGetInt64(out var value) || value < 0)
            throw Error(sourceName, $"invalid offsets: tensor '{name}' has a non-integer or negative data offset {el.GetRawText()}");
        return value;
    }

    private static void ValidateOffsets(string sourceName, SafeTensorsHeader header, long dataBytesAvailable)
    {
        // Sorted by (begin, end) the byte ranges must tile [0, dataLength) exactly: no overlap, no holes.
        long cursor = 0;
        string? previous = null;
        foreach (var t in header.Tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin < cursor)
                throw Error(sourceName, $"invalid offsets: tensor '{t.Name}' [{t.Begin}, {t.End}] overlaps tensor '{previous}' (which ends at {cursor})");
            if (t.Begin > cursor)
                throw Error(sourceName, $"invalid offsets: there is a gap of {t.Begin - cursor} bytes before tensor '{t.Name}' at data offset {cursor}");
            if (t.End > dataBytesAvailable)
                throw Error(sourceName, $"offsets out of range (file truncated?): tensor '{t.Name}' ends at data byte {t.End} " +
                                        $"but the file holds only {dataBytesAvailable} data bytes");
            cursor = t.End;
            previous = t.Name;
        }
        if (cursor != dataBytesAvailable)
            throw Error(sourceName, $"invalid file: {dataBytesAvailable - cursor} unexpected trailing bytes after the last tensor");
    }

    /// <summary>Reads every tensor of a safetensors file into new CPU tensors (ordinal name order).</summary>
    public static Dictionary<string, Tensor> ReadFile(string path) => ReadFile(path, out _);

    /// <summary>Reads every tensor of a safetensors file into new CPU tensors, and its metadata.</summary>
    public static Dictionary<string, Tensor> ReadFile(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        using var file = OpenRead(path);
        return Read(file, path, out metadata);
    }

    /// <summary>
    /// Reads a safetensors file from a seekable stream positioned at its first byte. Each tensor's bytes are read
    /// straight into its (freshly allocated) CPU storage, so peak memory is about the size of the tensors.
    /// </summary>
    public static Dictionary<string, Tensor> Read(Stream stream, string sourceName, out IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek) throw new ArgumentException("The stream must be seekable.", nameof(stream));
        EnsureLittleEndian();
        var start = stream.Position;
        var header = ReadHeader(stream, sourceName);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var info in header.Tensors.OrderBy(t => t.Begin))
            {
                TryParseDType(info.DType, out var type, out _);
                var tensor = torch.empty(info.Shape, type, torch.CPU);
                result[info.Name] = tensor;
                stream.Position = start + header.DataStart + info.Begin;
                ReadTensorBytes(stream, tensor, info.ByteCount, sourceName, info.Name);
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        metadata = header.Metadata;
        return header.Tensors.ToDictionary(t => t.Name, t => result[t.Name], StringComparer.Ordinal);
    }

    private static void ReadTensorBytes(Stream stream, Tensor tensor, long byteCount, string sourceName, string name)
    {
        if (byteCount == 0) return;
        try
        {
            ForEachChunk(tensor, byteCount, span => stream.ReadExactly(span));
        }
        catch (EndOfStreamException ex)
        {
            throw new CheckpointException($"{sourceName}: truncated: the data of tensor '{name}' ends early", ex);
        }
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException($"{path}: file not found", ex);
        }
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors I/O here assumes a little-endian machine.");
    }

    private static CheckpointException Error(string sourceName, string what) => new($"{sourceName}: {what}");
}
