using System.CommandLine;
using PaletteCluster.Cli.Commands;

namespace PaletteCluster.Cli;

/// <summary>The `palette` command tree, built in one place so the tests can walk every command it offers.</summary>
public static class PaletteCommandLine
{
    /// <param name="knobs">The PALETTE_* switches; null reads them from this process's environment.</param>
    public static RootCommand CreateRoot(EnvironmentKnobs? knobs = null)
    {
        knobs ??= EnvironmentKnobs.Read(Environment.GetEnvironmentVariable);
        var root = new RootCommand("palette: train and sample Palette image-to-image diffusion models")
        {
            TrainCommand.Create(knobs),
            SampleCommand.Create(knobs),
            BenchCommand.Create(knobs),
            CheckpointCommand.Create(),
            TasksCommand.Create(),
            ShardsCommand.Create(),
            EnvCommand.Create(knobs),
            SiloCommand.Create(),
            WorkerCommand.Create(knobs),
            DbCommand.Create(),
        };
        foreach (var command in JobCommands.CreateAll()) root.Add(command);
        return root;
    }
}
