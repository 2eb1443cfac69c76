using System.CommandLine;
using PaletteCluster.Cli;
using PaletteCluster.Cli.Commands;

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
return CliErrors.Invoke(root, args);
