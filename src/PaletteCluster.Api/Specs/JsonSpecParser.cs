using System.Text;
using System.Text.Json;

namespace PaletteCluster.Api.Specs;

/// <summary>
/// Reads the top-level object of a JSON spec token by token, so every key and value keeps its line (from the
/// token's byte offset) and duplicate keys are reported. Comments and trailing commas are allowed.
/// </summary>
internal static class JsonSpecParser
{
    public static RawSpec? Parse(string text, string source, List<JobSpecError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new JobSpecError(source, 1, null, "the file is empty"));
            return null;
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        var lines = new LineIndex(bytes);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        try
        {
            if (!reader.Read())
            {
                errors.Add(new JobSpecError(source, 1, null, "the file is empty"));
                return null;
            }
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                errors.Add(new JobSpecError(source, lines.LineOf(reader.TokenStartIndex), null,
                    "the file must be a JSON object of keys to values"));
                return null;
            }
            int objectLine = lines.LineOf(reader.TokenStartIndex);
            var entries = new List<RawEntry>();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                int keyLine = lines.LineOf(reader.TokenStartIndex);
                reader.Read();
                int valueLine = lines.LineOf(reader.TokenStartIndex);
                RawValue value = reader.TokenType switch
                {
                    JsonTokenType.String => new RawValue(RawKind.Text, reader.GetString()!, valueLine),
                    JsonTokenType.Number => new RawValue(RawKind.Number, Encoding.UTF8.GetString(reader.ValueSpan), valueLine),
                    JsonTokenType.True => new RawValue(RawKind.Bool, "true", valueLine),
                    JsonTokenType.False => new RawValue(RawKind.Bool, "false", valueLine),
                    JsonTokenType.Null => new RawValue(RawKind.Null, "null", valueLine),
                    JsonTokenType.StartObject => new RawValue(RawKind.Mapping, "", valueLine),
                    _ => new RawValue(RawKind.Sequence, "", valueLine),
                };
                if (value.Kind is RawKind.Mapping or RawKind.Sequence) reader.Skip();
                entries.Add(new RawEntry(key, keyLine, value));
            }
            // Anything after the closing brace makes the reader throw, with its position.
            while (reader.Read()) { }
            return new RawSpec(objectLine, entries);
        }
        catch (JsonException e)
        {
            errors.Add(new JobSpecError(source, (int)(e.LineNumber ?? 0) + 1, null, $"JSON syntax error: {WithoutPosition(e.Message)}"));
            return null;
        }
    }

    /// <summary>The reader ends its messages with " LineNumber: 2 | BytePositionInLine: 7."; the line is reported separately.</summary>
    private static string WithoutPosition(string message)
    {
        var at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (at >= 0 ? message[..at] : message).TrimEnd();
    }

    /// <summary>1-based line of a byte offset.</summary>
    private sealed class LineIndex
    {
        private readonly List<long> _starts = [0];

        public LineIndex(byte[] bytes)
        {
            for (int i = 0; i < bytes.Length; i++)
                if (bytes[i] == (byte)'\n') _starts.Add(i + 1);
        }

        public int LineOf(long offset)
        {
            int index = _starts.BinarySearch(offset);
            return (index >= 0 ? index : ~index - 1) + 1;
        }
    }
}
