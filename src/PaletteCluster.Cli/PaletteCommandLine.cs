using System.CommandLine;
using PaletteCluster.Cli.Commands;

namespace PaletteCluster.Cli;

/// <summary>The `palette` command tree, built in one place so the tests can walk every command it offers.</summary>
public static class PaletteCommandLine
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("palette: train and sample Palette image-to-image diffusion models")
        {
            TrainCommand.Create(),
            SampleCommand.Create(),
            BenchCommand.Create(),
            CheckpointCommand.Create(),
            TasksCommand.Create(),
            ShardsCommand.Create(),
            EnvCommand.Create(),
            SiloCommand.Create(),
            WorkerCommand.Create(),
            DbCommand.Create(),
        };
        foreach (var command in JobCommands.CreateAll()) root.Add(command);
        return root;
    }
}
