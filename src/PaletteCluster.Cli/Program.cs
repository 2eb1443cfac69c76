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
};
return CliErrors.Invoke(root, args);
