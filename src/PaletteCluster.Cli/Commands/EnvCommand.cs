using System.CommandLine;
using PaletteCluster.Training.Runtime;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette env</c>: which libtorch and device this process gets (for bug reports and GPU set-up).</summary>
public static class EnvCommand
{
    public static Command Create(EnvironmentKnobs knobs)
    {
        var device = CommonOptions.Device();
        var libtorch = CommonOptions.LibTorch();
        var command = new Command("env", "Show the libtorch build, its files and the device that would be used") { device, libtorch };
        command.SetAction(parse =>
        {
            var dev = knobs.InitializeTorch(parse.GetValue(device)!, parse.GetValue(libtorch));
            Console.WriteLine($"device: {dev}");
            Console.WriteLine($"cuda available: {TorchSharp.torch.cuda.is_available()}");
            foreach (var file in TorchRuntime.LoadedLibTorchFiles()) Console.WriteLine($"libtorch file: {file}");
            return 0;
        });
        return command;
    }
}
