using System.Text.RegularExpressions;
using PaletteCluster.Testing;

namespace PaletteCluster.Cli.Tests;

/// <summary>Every command of `palette`, found by walking the command tree, documents itself and all its options.</summary>
public class CommandHelpTests
{
    public static TheoryData<string> CommandPaths() => new(CommandTree.All().Select(c => string.Join(' ', c.Path)));

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void HelpShowsTheUsageAndEveryOption(string commandPath)
    {
        string[] path = commandPath.Length == 0 ? [] : commandPath.Split(' ');
        var command = CommandTree.Find(path);
        var r = PaletteProcess.Run([.. path, "--help"]);

        Assert.Equal(0, r.ExitCode);
        Assert.False(r.HasStackTrace, r.All);
        var usage = string.Join(' ', ["palette", .. path]);
        Assert.Matches(new Regex($@"^Usage:\r?\n\s+{Regex.Escape(usage)}( |$)", RegexOptions.Multiline), r.Stdout);

        var options = CommandTree.VisibleOptions(path);
        Assert.Contains(options, o => o.Name == "--help");
        var missing = options.Where(o => !Mentions(r.Stdout, o.Name)).Select(o => o.Name).ToList();
        Assert.True(missing.Count == 0, $"palette {commandPath} --help does not list {string.Join(", ", missing)}:\n{r.Stdout}");
        if (options.Count > 0) Assert.Contains("Options:", r.Stdout);

        var unnamedArguments = command.Arguments.Where(a => !a.Hidden && !r.Stdout.Contains($"<{a.Name}>")).Select(a => a.Name).ToList();
        Assert.True(unnamedArguments.Count == 0, $"palette {commandPath} --help does not show the argument(s) {string.Join(", ", unnamedArguments)}");
    }

    [Fact]
    public void TheWalkFindsNestedCommands()
    {
        // Guards the enumeration itself: a walk that stopped at the first level would still give passing theories.
        var paths = CommandTree.All().Select(c => string.Join(' ', c.Path)).ToList();
        Assert.Equal(paths.Count, paths.Distinct().Count());
        foreach (var known in new[] { "", "train", "bench train-step", "checkpoint verify", "shards build", "tasks preview", "env", "worker" })
            Assert.Contains(known, paths);
    }

    /// <summary>The name as a whole word: "--data" must not be satisfied by "--data-cache".</summary>
    private static bool Mentions(string help, string name) =>
        Regex.IsMatch(help, $@"(?<![\w-]){Regex.Escape(name)}(?![\w-])");
}
