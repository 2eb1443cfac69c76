using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PaletteCluster.Api.Specs;

/// <summary>
/// Reads the top-level mapping of a YAML spec from the parser's events (not the object model), so every key and
/// value keeps its line and duplicate keys are reported instead of silently overwritten.
/// </summary>
internal static class YamlSpecParser
{
    public static RawSpec? Parse(string text, string source, List<JobSpecError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new JobSpecError(source, 1, null, "the file is empty"));
            return null;
        }
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                errors.Add(new JobSpecError(source, 1, null, "the file is empty"));
                return null;
            }
            parser.Consume<DocumentStart>();
            if (!parser.TryConsume<MappingStart>(out var mapping))
            {
                var first = parser.Current!;
                errors.Add(new JobSpecError(source, (int)first.Start.Line, null, first is Scalar { Value: "" }
                    ? "the file is empty"
                    : "the file must be a mapping of keys to values (key: value, one per line)"));
                return null;
            }

            var entries = new List<RawEntry>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                if (!parser.TryConsume<Scalar>(out var key))
                {
                    errors.Add(new JobSpecError(source, (int)parser.Current!.Start.Line, null, "keys must be plain names"));
                    parser.SkipThisAndNestedEvents();
                    parser.SkipThisAndNestedEvents();
                    continue;
                }
                entries.Add(new RawEntry(key.Value, (int)key.Start.Line, ReadValue(parser)));
            }
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
                errors.Add(new JobSpecError(source, (int)second.Start.Line, null, "the file holds more than one YAML document; a job spec is one"));
            return new RawSpec((int)mapping.Start.Line, entries);
        }
        catch (YamlException e)
        {
            errors.Add(new JobSpecError(source, (int)e.Start.Line, null, $"YAML syntax error: {WithoutMarks(e.Message)}"));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, when the text ends inside a flow collection.
            int lastLine = text.TrimEnd().Count(c => c == '\n') + 1;
            errors.Add(new JobSpecError(source, lastLine, null, "YAML syntax error: the file ends inside an unclosed [ or {"));
            return null;
        }
    }

    private static RawValue ReadValue(IParser parser)
    {
        var line = (int)parser.Current!.Start.Line;
        switch (parser.Current)
        {
            case Scalar scalar:
                parser.MoveNext();
                return scalar.Style is ScalarStyle.Plain && scalar.Tag.IsEmpty
                    ? Resolve(scalar.Value, line)
                    : new RawValue(RawKind.Text, scalar.Value, line);
            case MappingStart:
                parser.SkipThisAndNestedEvents();
                return new RawValue(RawKind.Mapping, "", line);
            case SequenceStart:
                parser.SkipThisAndNestedEvents();
                return new RawValue(RawKind.Sequence, "", line);
            default:
                // Aliases (*name): a spec has no use for them; report the value as unreadable text.
                parser.SkipThisAndNestedEvents();
                return new RawValue(RawKind.Text, "*alias", line);
        }
    }

    /// <summary>YAML 1.2 core schema resolution of an unquoted scalar.</summary>
    private static RawValue Resolve(string text, int line)
    {
        if (text is "" or "~" or "null" or "Null" or "NULL") return new RawValue(RawKind.Null, text, line, Plain: true);
        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
            return new RawValue(RawKind.Bool, text.ToLowerInvariant(), line, Plain: true);
        return new RawValue(LooksNumeric(text) ? RawKind.Number : RawKind.Text, text, line, Plain: true);
    }

    internal static bool LooksNumeric(string text) =>
        text.Any(char.IsAsciiDigit)
        && text.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or '.' or 'e' or 'E')
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>YamlDotNet prefixes messages with "(Line: 3, Col: 1, Idx: 20) - (...): "; the line is reported separately.</summary>
    private static string WithoutMarks(string message)
    {
        var at = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && at >= 0 ? message[(at + 3)..] : message;
    }
}
