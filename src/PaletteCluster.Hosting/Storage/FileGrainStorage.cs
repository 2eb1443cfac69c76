using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace PaletteCluster.Hosting.Storage;

/// <summary>
/// Grain state in local JSON files, the embedded mode's store: {root}/{stateName}/{escaped grain id}.json holding
/// <c>{"ETag": "n", "GrainId": "...", "State": {...}}</c>. The ETag is a counter stored in the file: a write whose
/// ETag is not the stored one (stale activation, lost race) throws <see cref="InconsistentStateException"/>.
/// Writes go to a temp file in the same folder, flushed to disk, then renamed over the old file, so a crash
/// leaves either the old or the new state, never half of one. One silo process owns a root folder; within it
/// writes to the same file are serialized.
/// </summary>
public sealed class FileGrainStorage : IGrainStorage
{
    private const string TempSuffix = ".tmp";

    private readonly string _name;
    private readonly string _root;
    private readonly IGrainStorageSerializer _serializer;
    private readonly ILogger<FileGrainStorage> _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _fileLocks = new();

    public FileGrainStorage(string name, FileGrainStorageOptions options, IGrainStorageSerializer serializer, ILogger<FileGrainStorage> logger)
    {
        if (string.IsNullOrWhiteSpace(options.RootDirectory))
            throw new ArgumentException($"grain storage '{name}': RootDirectory is not set", nameof(options));
        _name = name;
        _root = Path.GetFullPath(options.RootDirectory);
        _serializer = serializer;
        _logger = logger;
    }

    /// <summary>Where the state of this grain lives (whether or not it exists yet).</summary>
    public string PathOf(string stateName, GrainId grainId) =>
        Path.Combine(_root, GrainFileNames.Escape(stateName), GrainFileNames.Escape(grainId.ToString()) + ".json");

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var path = PathOf(stateName, grainId);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        var state = root.GetProperty("State");
        grainState.State = state.ValueKind == JsonValueKind.Null
            ? Activator.CreateInstance<T>()
            : _serializer.Deserialize<T>(BinaryData.FromString(state.GetRawText()));
        grainState.ETag = root.GetProperty("ETag").GetString();
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var path = PathOf(stateName, grainId);
        var gate = _fileLocks.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var stored = await ReadETagAsync(path, cancellationToken);
            ThrowIfStale("write", path, stored, grainState.ETag);
            var next = (stored is null ? 1 : long.Parse(stored, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await WriteAtomicallyAsync(path, Envelope(next, grainId, _serializer.Serialize(grainState.State)), cancellationToken);
            grainState.ETag = next;
            grainState.RecordExists = true;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var path = PathOf(stateName, grainId);
        var gate = _fileLocks.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var stored = await ReadETagAsync(path, cancellationToken);
            ThrowIfStale("clear", path, stored, grainState.ETag);
            File.Delete(path);
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        finally
        {
            gate.Release();
        }
    }

    private void ThrowIfStale(string operation, string path, string? stored, string? expected)
    {
        if (stored == expected) return;
        _logger.LogWarning("Grain storage {Name}: {Operation} of {Path} refused, stored ETag {Stored}, caller had {Expected}",
            _name, operation, path, stored ?? "(none)", expected ?? "(none)");
        throw new InconsistentStateException(
            $"grain storage '{_name}': {operation} of '{path}' expected ETag '{expected ?? "(none)"}' but found '{stored ?? "(none)"}'",
            stored, expected);
    }

    private static byte[] Envelope(string etag, GrainId grainId, BinaryData state)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            // ETag first: stale-write checks read only the head of the file.
            writer.WriteStartObject();
            writer.WriteString("ETag", etag);
            writer.WriteString("GrainId", grainId.ToString());
            writer.WritePropertyName("State");
            writer.WriteRawValue(state.ToMemory().Span);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true))
            {
                await stream.WriteAsync(content, cancellationToken);
                // Data on disk before the rename makes it visible: otherwise a power cut can leave an empty file.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>The stored ETag, read from the head of the file; null when there is no file.</summary>
    private static async Task<string?> ReadETagAsync(string path, CancellationToken cancellationToken)
    {
        byte[] head;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
            head = new byte[Math.Min(stream.Length, 4096)];
            await stream.ReadExactlyAsync(head, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var reader = new Utf8JsonReader(head, isFinalBlock: false, state: default);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("ETag"u8))
            {
                if (reader.Read() && reader.TokenType == JsonTokenType.String) return reader.GetString();
                break;
            }
        }
        throw new InvalidDataException($"grain state file '{path}' has no ETag at its head");
    }
}
