using System.CommandLine;
using PaletteCluster.Recipes;

namespace PaletteCluster.Cli.Commands;

/// <summary>
/// Command-line options that set <see cref="TrainingRecipe"/> fields: each field is declared once here (name,
/// description, default from the command's recipe), bound back onto a recipe, and checked by the recipe's own rules,
/// with problems named by option. Commands pick the fields they offer.
/// </summary>
public sealed class RecipeOptions
{
    private sealed record Binding(string Field, Option Option, Func<ParseResult, TrainingRecipe, TrainingRecipe> Apply);

    private readonly TrainingRecipe _defaults;
    private readonly IReadOnlyList<Binding> _bindings;

    /// <param name="defaults">The recipe a command starts from (its defaults show in --help).</param>
    /// <param name="fields">The <see cref="RecipeFields"/> offered as options, in help order.</param>
    public RecipeOptions(TrainingRecipe defaults, params string[] fields)
    {
        _defaults = defaults;
        _bindings = fields.Select(f => Declare(f, defaults)).ToList();
    }

    public IEnumerable<Option> Options => _bindings.Select(b => b.Option);

    /// <summary>The option (e.g. "--batch") that sets a recipe field.</summary>
    public string OptionName(string field) => _bindings.FirstOrDefault(b => b.Field == field)?.Option.Name ?? field;

    /// <summary>The command's recipe with the options' values; not yet validated.</summary>
    public TrainingRecipe Bind(ParseResult parse) => _bindings.Aggregate(_defaults, (recipe, b) => b.Apply(parse, recipe));

    /// <summary>The bound recipe, or an ArgumentException listing every problem under its option's name.</summary>
    public TrainingRecipe BindValid(ParseResult parse)
    {
        var recipe = Bind(parse);
        var problems = recipe.Validate();
        if (problems.Count == 0) return recipe;
        throw new ArgumentException(string.Join(Environment.NewLine, problems.Select(p => $"{OptionName(p.Field)} {p.Message}")));
    }

    private static Binding Declare(string field, TrainingRecipe d) => field switch
    {
        RecipeFields.Task => Bind(field, Value<string>("--task",
            $"Task or weighted mix: {string.Join(", ", TaskMixSpec.TaskNames)}; e.g. inpainting:2,colorization:1, or all", d.Task),
            (r, v) => r with { Task = v }),
        RecipeFields.Preset => Bind(field, Choice("--preset", "Network preset", d.Preset), (r, v) => r with { Preset = v }),
        RecipeFields.ImageSize => Bind(field, Value<int>("--image-size", "Training resolution (square)", d.ImageSize, "--res"),
            (r, v) => r with { ImageSize = v }),
        RecipeFields.BatchSize => Bind(field, Value<int>("--batch", "Images per step", d.BatchSize, "--batch-size"),
            (r, v) => r with { BatchSize = v }),
        RecipeFields.Steps => Bind(field, Value<long>("--steps", "Total optimizer steps (across resumes)", d.Steps), (r, v) => r with { Steps = v }),
        RecipeFields.Seed => Bind(field, Value<long>("--seed", "Random seed", d.Seed), (r, v) => r with { Seed = v }),
        RecipeFields.LearningRate => Bind(field, Value<double>("--lr", "Adam learning rate after warmup (Palette: 1e-4)", d.LearningRate, "--learning-rate"),
            (r, v) => r with { LearningRate = v }),
        RecipeFields.WarmupSteps => Bind(field, Value<long>("--warmup", "Linear warmup steps (Palette: 10000)", d.WarmupSteps, "--warmup-steps"),
            (r, v) => r with { WarmupSteps = v }),
        RecipeFields.GradClip => Bind(field, Value<double?>("--grad-clip", "Clip the global gradient norm to this value (default: off)", d.GradClip),
            (r, v) => r with { GradClip = v }),
        RecipeFields.EmaDecay => Bind(field, Value<double>("--ema-decay", "EMA decay of the weights used for sampling (Palette: 0.9999)", d.EmaDecay),
            (r, v) => r with { EmaDecay = v }),
        RecipeFields.Loss => Bind(field, Choice("--loss", "Noise loss (Palette: l1)", d.Loss), (r, v) => r with { Loss = v }),
        RecipeFields.Schedule => Bind(field, Value<string>("--schedule", "Training noise schedule kind:steps:start:end", d.Schedule),
            (r, v) => r with { Schedule = v }),
        RecipeFields.Precision => Bind(field, Choice("--precision", "fp32, or bf16 (bf16 compute with fp32 master weights; for CUDA)", d.Precision),
            (r, v) => r with { Precision = v }),
        RecipeFields.Dropout => Bind(field, Value<double>("--dropout", "Dropout in residual blocks", d.Dropout), (r, v) => r with { Dropout = v }),
        RecipeFields.CheckpointEvery => Bind(field, Value<long>("--checkpoint-every",
            "Steps between checkpoints (one is also written at the end and on Ctrl+C/SIGTERM)", d.CheckpointEvery),
            (r, v) => r with { CheckpointEvery = v }),
        RecipeFields.ReportEvery => Bind(field, Value<int>("--log-every", "Steps between progress reports", d.ReportEvery, "--report-every"),
            (r, v) => r with { ReportEvery = v }),
        RecipeFields.Samples => Bind(field, Value<int>("--samples", "Images in the sample grid written at the end (0: none)", d.Samples),
            (r, v) => r with { Samples = v }),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a recipe field"),
    };

    private static Binding Bind<T>(string field, Option<T> option, Func<TrainingRecipe, T, TrainingRecipe> apply) =>
        new(field, option, (parse, recipe) => apply(recipe, parse.GetValue(option)!));

    private static Option<T> Value<T>(string name, string description, T @default, params string[] aliases) =>
        new(name, aliases) { Description = description, DefaultValueFactory = _ => @default };

    /// <summary>An enum option that takes and shows the spec names ("tiny", "l1", "bf16"), in any letter case.</summary>
    private static Option<T> Choice<T>(string name, string description, T @default) where T : struct, Enum => new(name)
    {
        Description = $"{description}: {string.Join(", ", SpecNames.All<T>())}",
        HelpName = string.Join("|", SpecNames.All<T>()),
        DefaultValueFactory = _ => @default,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (SpecNames.TryParse<T>(text, out var value)) return value;
            result.AddError($"{name} {SpecNames.MustBeOneOf<T>(text)}");
            return @default;
        },
    };
}
