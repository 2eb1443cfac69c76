namespace PaletteCluster.Api.Specs;

/// <summary>What a value looked like in the file, before it is bound to a JobSpec property.</summary>
internal enum RawKind
{
    Text,
    Number,
    Bool,
    Null,
    Mapping,
    Sequence,
}

/// <param name="Plain">
/// A YAML scalar without quotes: its kind was guessed from its text, so a string key still accepts it
/// (<c>name: 2024</c>) while a number key rejects a quoted one.
/// </param>
internal sealed record RawValue(RawKind Kind, string Text, int Line, bool Plain = false)
{
    public string Describe() => Kind switch
    {
        RawKind.Text => $"text '{Text}'",
        RawKind.Number => $"the number {Text}",
        RawKind.Bool => Text,
        RawKind.Null => "no value",
        RawKind.Mapping => "a mapping",
        _ => "a list",
    };
}

internal sealed record RawEntry(string Key, int Line, RawValue Value);

/// <summary>The top-level mapping of a spec file as key/value entries in file order, with line numbers (1-based).</summary>
internal sealed record RawSpec(int Line, IReadOnlyList<RawEntry> Entries);
