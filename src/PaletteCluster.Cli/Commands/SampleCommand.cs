using System.CommandLine;
using Microsoft.Extensions.Logging;
using PaletteCluster.Diffusion;
using PaletteCluster.Training.Sampling;
using PaletteCluster.Recipes;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette sample</c>: colorize input images with a checkpoint's EMA weights and write PNGs and a grid.</summary>
public static class SampleCommand
{
    public static Command Create(EnvironmentKnobs knobs)
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A checkpoint folder, or a run folder (its latest checkpoint)", Required = true };
        var input = new Option<FileSystemInfo>("--input") { Description = "An image file or a folder of images", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder for one PNG per input and grid.png", Required = true };
        var sampler = new Option<string>("--sampler") { Description = "ddpm (patent Eqn 8, every schedule step) or ddim (few steps)", DefaultValueFactory = _ => "ddpm" }
            .AcceptOnlyFromAmong("ddpm", "ddim");
        var steps = new Option<int>("--steps") { Description = "DDIM steps (DDPM runs every step of --schedule)", DefaultValueFactory = _ => 50 }.InRange(1, 100_000);
        var schedule = new Option<string>("--schedule") { Description = "Inference noise schedule kind:steps:start:end", DefaultValueFactory = _ => NoiseScheduleSpec.PaletteInference.ToString() };
        var eta = new Option<double>("--eta") { Description = "DDIM stochasticity (0: deterministic)", DefaultValueFactory = _ => 0.0 };
        var batch = new Option<int>("--batch") { Description = "Images sampled together", DefaultValueFactory = _ => 8 }.InRange(1, 4096);
        var limit = new Option<int>("--limit") { Description = "Use at most this many input images (0: all)", DefaultValueFactory = _ => 0 }.InRange(0, int.MaxValue);
        var raw = new Option<bool>("--raw-weights") { Description = "Sample with the raw weights instead of the EMA" };
        var noClip = new Option<bool>("--no-clip") { Description = "Do not clip the implied clean image to [-1, 1] at each step (pure Eqn 8)" };
        var seed = CommonOptions.Seed();
        var device = CommonOptions.Device();
        var libtorch = CommonOptions.LibTorch();

        var command = new Command("sample", "Run a checkpoint on input images (colorization) and write output PNGs")
        {
            checkpoint, input, output, sampler, steps, schedule, eta, batch, limit, raw, noClip, seed, device, libtorch,
        };
        command.SetAction(parse =>
        {
            var options = new SamplingOptions
            {
                Sampler = parse.GetValue(sampler)!, Steps = parse.GetValue(steps), Schedule = parse.GetValue(schedule)!,
                Eta = parse.GetValue(eta), Seed = parse.GetValue(seed), BatchSize = parse.GetValue(batch),
                ClipDenoised = !parse.GetValue(noClip),
            };
            options.CreateSampler(); // validate before loading anything
            var inputs = InputImages.List(parse.GetValue(input)!, parse.GetValue(limit));
            var dev = knobs.InitializeTorch(parse.GetValue(device)!, parse.GetValue(libtorch));
            using var logging = ConsoleReporting.CreateLoggerFactory();
            var logger = logging.CreateLogger("palette.sample");
            var outDir = parse.GetValue(output)!.FullName;
            using var model = ImageSampler.FromCheckpoint(parse.GetValue(checkpoint)!.FullName, dev, useEma: !parse.GetValue(raw));
            var grid = Path.Combine(outDir, "grid.png");
            var written = model.SampleFiles(inputs, outDir, grid, options, writeEach: true, logger,
                new ConsoleReporting.Inline<(int Done, int Total)>(p => Console.WriteLine($"sampled {p.Done}/{p.Total}")));
            Console.WriteLine($"Wrote {written.Count} image(s) and {grid}");
            return 0;
        });
        return command;
    }
}
