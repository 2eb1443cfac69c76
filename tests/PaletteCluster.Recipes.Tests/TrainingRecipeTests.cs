using PaletteCluster.Recipes;

namespace PaletteCluster.Recipes.Tests;

public sealed class TrainingRecipeTests
{
    [Fact]
    public void The_default_recipe_is_Palettes_and_valid()
    {
        var recipe = new TrainingRecipe();

        Assert.Empty(recipe.Validate());
        Assert.Equal((UNetPreset.Tiny, LossKind.L1, PrecisionMode.Fp32, "linear:2000:1e-6:0.01", "colorization"),
            (recipe.Preset, recipe.Loss, recipe.Precision, recipe.Schedule, recipe.Task));
        Assert.Equal((1e-4, 10_000L, 0.9999, (double?)null), (recipe.LearningRate, recipe.WarmupSteps, recipe.EmaDecay, recipe.GradClip));
        Assert.Same(recipe, recipe.EnsureValid());
    }

    public static TheoryData<string, TrainingRecipe, string> OutOfLimits => new()
    {
        { RecipeFields.Task, new() { Task = "inpainting,painting" }, "unknown task 'painting'" },
        { RecipeFields.Task, new() { Task = "inpainting:-1" }, "positive weight" },
        { RecipeFields.Task, new() { Task = " " }, "empty task spec" },
        { RecipeFields.Preset, new() { Preset = (UNetPreset)7 }, "one of tiny, small, adm" },
        { RecipeFields.ImageSize, new() { ImageSize = 4 }, "between 8 and 4096, got 4" },
        { RecipeFields.ImageSize, new() { ImageSize = 8192 }, "between 8 and 4096, got 8192" },
        { RecipeFields.ImageSize, new() { ImageSize = 100 }, "multiple of 8" },
        { RecipeFields.BatchSize, new() { BatchSize = 0 }, "between 1 and 65536, got 0" },
        { RecipeFields.BatchSize, new() { BatchSize = 65537 }, "between 1 and 65536" },
        { RecipeFields.Steps, new() { Steps = 0 }, "at least 1, got 0" },
        { RecipeFields.LearningRate, new() { LearningRate = 0 }, "in (0, 1), got 0" },
        { RecipeFields.LearningRate, new() { LearningRate = 1 }, "in (0, 1), got 1" },
        { RecipeFields.LearningRate, new() { LearningRate = double.NaN }, "in (0, 1)" },
        { RecipeFields.WarmupSteps, new() { WarmupSteps = -1 }, "at least 0, got -1" },
        { RecipeFields.GradClip, new() { GradClip = 0 }, "greater than 0" },
        { RecipeFields.GradClip, new() { GradClip = double.PositiveInfinity }, "greater than 0" },
        { RecipeFields.EmaDecay, new() { EmaDecay = 1.5 }, "in [0, 1], got 1.5" },
        { RecipeFields.Loss, new() { Loss = (LossKind)9 }, "one of l1, l2" },
        { RecipeFields.Schedule, new() { Schedule = "linear:abc" }, "linear:abc" },
        { RecipeFields.Schedule, new() { Schedule = "linear:1000:0.5:2" }, "end beta" },
        { RecipeFields.Precision, new() { Precision = (PrecisionMode)5 }, "one of fp32, bf16" },
        { RecipeFields.Dropout, new() { Dropout = 1 }, "in [0, 1), got 1" },
        { RecipeFields.Dropout, new() { Dropout = -0.1 }, "in [0, 1)" },
        { RecipeFields.CheckpointEvery, new() { CheckpointEvery = 0 }, "at least 1, got 0" },
        { RecipeFields.ReportEvery, new() { ReportEvery = 0 }, "at least 1, got 0" },
        { RecipeFields.Samples, new() { Samples = -1 }, "between 0 and 1024, got -1" },
        { RecipeFields.Samples, new() { Samples = 1025 }, "between 0 and 1024, got 1025" },
    };

    [Theory]
    [MemberData(nameof(OutOfLimits))]
    public void A_value_past_its_limit_is_one_problem_named_by_its_field(string field, TrainingRecipe recipe, string message)
    {
        var problem = Assert.Single(recipe.Validate());

        Assert.Equal(field, problem.Field);
        Assert.Contains(message, problem.Message);
        Assert.StartsWith(field + ": ", problem.ToString());
    }

    [Fact]
    public void Values_on_their_limits_are_accepted()
    {
        var edges = new TrainingRecipe
        {
            ImageSize = 8, BatchSize = 65536, Steps = 1, WarmupSteps = 0, EmaDecay = 1, Dropout = 0, CheckpointEvery = 1,
            ReportEvery = 1, Samples = 1024, GradClip = 1e-9, Task = "all", Schedule = "cosine:1000",
        };

        Assert.Empty(edges.Validate());
        Assert.Empty((edges with { ImageSize = 4096, EmaDecay = 0, Samples = 0 }).Validate());
    }

    [Fact]
    public void Every_problem_is_reported_at_once_each_with_its_field()
    {
        var recipe = new TrainingRecipe
        {
            Task = "painting", ImageSize = 12, BatchSize = 0, Steps = 0, LearningRate = 2, WarmupSteps = -5, GradClip = -1,
            EmaDecay = 2, Schedule = "zigzag:10", Dropout = 1, CheckpointEvery = 0, ReportEvery = 0, Samples = 5000,
        };

        var problems = recipe.Validate();

        Assert.Equal(
            [
                RecipeFields.Task, RecipeFields.ImageSize, RecipeFields.BatchSize, RecipeFields.Steps, RecipeFields.LearningRate,
                RecipeFields.WarmupSteps, RecipeFields.GradClip, RecipeFields.EmaDecay, RecipeFields.Schedule, RecipeFields.Dropout,
                RecipeFields.CheckpointEvery, RecipeFields.ReportEvery, RecipeFields.Samples,
            ],
            problems.Select(p => p.Field));
        var thrown = Assert.Throws<InvalidRecipeException>(() => recipe.EnsureValid());
        Assert.Equal(problems, thrown.Problems);
        Assert.Equal(problems.Count, thrown.Message.Split(Environment.NewLine).Length);
        Assert.Contains("batch_size: must be between 1 and 65536, got 0", thrown.Message);
    }

    [Fact]
    public void Every_recipe_property_has_a_field_name_in_spec_key_order()
    {
        var properties = typeof(TrainingRecipe).GetProperties().Where(p => p.CanWrite).Select(p => p.Name);

        Assert.Equal(RecipeFields.All, properties.Select(SnakeCase));
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
