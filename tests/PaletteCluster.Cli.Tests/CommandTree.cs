using System.CommandLine;
using PaletteCluster.Cli;

namespace PaletteCluster.Cli.Tests;

/// <summary>Every command of the real `palette` tree, found by walking it, so a new command is covered without a test edit.</summary>
public static class CommandTree
{
    /// <summary>Each command with its path of names below the root ([] for the root itself).</summary>
    public static IEnumerable<(string[] Path, Command Command)> All()
    {
        var pending = new Stack<(string[] Path, Command Command)>();
        pending.Push(([], PaletteCommandLine.CreateRoot()));
        while (pending.Count > 0)
        {
            var (path, command) = pending.Pop();
            yield return (path, command);
            foreach (var sub in command.Subcommands.Where(c => !c.Hidden).Reverse())
                pending.Push(([.. path, sub.Name], sub));
        }
    }

    public static Command Find(string[] path) => All().Single(c => c.Path.SequenceEqual(path)).Command;

    /// <summary>
    /// The options help shows for a command: its own and those its ancestors pass down (--help), without hidden ones.
    /// </summary>
    public static IReadOnlyList<Option> VisibleOptions(string[] path)
    {
        var options = new List<Option>();
        Command current = PaletteCommandLine.CreateRoot();
        for (int depth = 0; depth <= path.Length; depth++)
        {
            bool own = depth == path.Length;
            options.AddRange(current.Options.Where(o => !o.Hidden && (own || o.Recursive)));
            if (!own) current = current.Subcommands.Single(c => c.Name == path[depth]);
        }
        return options.DistinctBy(o => o.Name).ToList();
    }
}
