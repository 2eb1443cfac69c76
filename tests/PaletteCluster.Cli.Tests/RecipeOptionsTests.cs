using System.CommandLine;
using PaletteCluster.Cli.Commands;
using PaletteCluster.Recipes;

namespace PaletteCluster.Cli.Tests;

public sealed class RecipeOptionsTests
{
    private static (RecipeOptions Options, ParseResult Parse) Parse(TrainingRecipe defaults, params string[] args)
    {
        var options = new RecipeOptions(defaults, RecipeFields.All.ToArray());
        var command = new RootCommand();
        foreach (var option in options.Options) command.Options.Add(option);
        return (options, command.Parse(args));
    }

    [Fact]
    public void Every_recipe_field_has_an_option()
    {
        var options = new RecipeOptions(new TrainingRecipe(), RecipeFields.All.ToArray());

        Assert.Equal(RecipeFields.All.Count, options.Options.Count());
        Assert.Equal("--batch", options.OptionName(RecipeFields.BatchSize));
        Assert.Equal("--log-every", options.OptionName(RecipeFields.ReportEvery));
    }

    [Fact]
    public void Without_options_the_commands_defaults_are_the_recipe()
    {
        var defaults = new TrainingRecipe { Preset = UNetPreset.Small, ImageSize = 256, WarmupSteps = 0 };

        var (options, parse) = Parse(defaults);

        Assert.Empty(parse.Errors);
        Assert.Equal(defaults, options.BindValid(parse));
    }

    [Fact]
    public void Options_and_their_aliases_set_the_recipe_fields()
    {
        var (options, parse) = Parse(new TrainingRecipe(),
            "--task", "inpainting:2,colorization", "--preset", "SMALL", "--res", "32", "--batch-size", "4", "--steps", "50",
            "--seed", "9", "--lr", "1e-3", "--warmup-steps", "5", "--grad-clip", "1.5", "--ema-decay", "0.9", "--loss", "L2",
            "--schedule", "cosine:100", "--precision", "bf16", "--dropout", "0.1", "--checkpoint-every", "25", "--report-every", "3",
            "--samples", "0");

        Assert.Empty(parse.Errors);
        Assert.Equal(new TrainingRecipe
        {
            Task = "inpainting:2,colorization", Preset = UNetPreset.Small, ImageSize = 32, BatchSize = 4, Steps = 50, Seed = 9,
            LearningRate = 1e-3, WarmupSteps = 5, GradClip = 1.5, EmaDecay = 0.9, Loss = LossKind.L2, Schedule = "cosine:100",
            Precision = PrecisionMode.Bf16, Dropout = 0.1, CheckpointEvery = 25, ReportEvery = 3, Samples = 0,
        }, options.BindValid(parse));
    }

    [Fact]
    public void Every_bad_value_is_reported_under_its_options_name()
    {
        var (options, parse) = Parse(new TrainingRecipe(), "--batch", "0", "--lr", "2", "--log-every", "0", "--schedule", "linear:abc");

        var e = Assert.Throws<ArgumentException>(() => options.BindValid(parse));

        var lines = e.Message.Split(Environment.NewLine);
        Assert.Equal(4, lines.Length);
        Assert.Contains("--batch must be between 1 and 65536, got 0", lines);
        Assert.Contains("--lr must be in (0, 1), got 2", lines);
        Assert.Contains("--log-every must be at least 1, got 0", lines);
        Assert.Contains(lines, l => l.StartsWith("--schedule ") && l.Contains("linear:abc"));
    }

    [Fact]
    public void An_unknown_choice_is_a_parse_error_listing_the_names()
    {
        var (_, parse) = Parse(new TrainingRecipe(), "--preset", "huge");

        Assert.Contains(parse.Errors, e => e.Message == "--preset must be one of tiny, small, adm; got 'huge'");
    }
}
