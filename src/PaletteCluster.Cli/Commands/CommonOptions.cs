using System.CommandLine;

namespace PaletteCluster.Cli.Commands;

/// <summary>Options shared by several commands, so they are spelled and documented the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<string> Device() => new("--device")
    {
        Description = "cpu, cuda, cuda:N or auto (CUDA when available)",
        DefaultValueFactory = _ => "auto",
    };

    public static Option<string?> LibTorch() => new("--libtorch")
    {
        Description = "Folder to load libtorch from (e.g. a PyTorch install's torch/lib); default: $PALETTE_LIBTORCH, else the bundled CPU libtorch",
    };

    public static Option<long> Seed() => new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 0 };

    /// <summary>Rejects values outside [min, max] at parse time with the option's name in the message.</summary>
    public static Option<T> InRange<T>(this Option<T> option, T min, T max) where T : IComparable<T>
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<T>();
            if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
                result.AddError($"{option.Name} must be between {min} and {max}, got {value}");
        });
        return option;
    }
}
