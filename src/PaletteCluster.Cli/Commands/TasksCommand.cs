using System.CommandLine;
using PaletteCluster.Data;
using PaletteCluster.Data.Tasks;
using PaletteCluster.Imaging;
using static TorchSharp.torch;

namespace PaletteCluster.Cli.Commands;

/// <summary><c>palette tasks list|preview</c>: what each Palette task feeds the network, as a picture.</summary>
public static class TasksCommand
{
    public static Command Create()
    {
        var list = new Command("list", "List the task names usable in settings");
        list.SetAction(_ =>
        {
            foreach (var name in TaskCatalog.Names) Console.WriteLine(name);
            return 0;
        });

        var input = new Option<FileSystemInfo>("--input") { Description = "An image file or a folder (its first images are used)", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "PNG to write: one row per task and image, columns condition | target | mask", Required = true };
        var size = new Option<int>("--size") { Description = "Sample size in pixels", DefaultValueFactory = _ => 128 }.InRange(8, 2048);
        var images = new Option<int>("--images") { Description = "Images per task", DefaultValueFactory = _ => 2 }.InRange(1, 64);
        var tasks = new Option<string[]>("--task") { Description = "Tasks to show (default: all)", AllowMultipleArgumentsPerToken = true };
        var seed = CommonOptions.Seed();
        var preview = new Command("preview", "Draw condition, target and mask of every task for a few images") { input, output, size, images, tasks, seed };
        preview.SetAction(parse =>
        {
            var names = parse.GetValue(tasks) is { Length: > 0 } chosen ? chosen : TaskCatalog.Names.ToArray();
            var taskList = names.Select(TaskCatalog.Create).ToList(); // validates names first
            var files = InputImages.List(parse.GetValue(input)!, parse.GetValue(images));
            var pictures = files.Select(ImageCodec.Load).ToList();
            int s = parse.GetValue(size);
            ulong baseSeed = (ulong)parse.GetValue(seed);

            var rows = new List<IReadOnlyList<Tensor>>();
            for (int t = 0; t < taskList.Count; t++)
                for (int i = 0; i < pictures.Count; i++)
                {
                    var rng = DeterministicRng.ForSample(baseSeed, t, i);
                    var sample = taskList[t].Make(pictures[i], s, ref rng);
                    var mask = sample.Mask is null ? ones(3, s, s) * -1 : tensor(sample.Mask, [1, s, s]).expand(3, s, s) * 2 - 1;
                    rows.Add([tensor(sample.Condition, [3, s, s]), tensor(sample.Target, [3, s, s]), mask]);
                }
            var path = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ImageGrid.Save(rows, path);
            Console.WriteLine($"Wrote {path}: rows {string.Join(", ", names)} x {pictures.Count} image(s); columns condition | target | mask (white = generated)");
            return 0;
        });

        return new Command("tasks", "The Palette tasks (colorization, inpainting, uncropping, JPEG, SR, denoising, deblurring)") { list, preview };
    }
}
