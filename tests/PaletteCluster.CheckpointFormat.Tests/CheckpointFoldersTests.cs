namespace PaletteCluster.CheckpointFormat.Tests;

public class CheckpointFoldersTests
{
    [Theory]
    [InlineData(0, "step-00000000")]
    [InlineData(42, "step-00000042")]
    [InlineData(99_999_999, "step-99999999")]
    [InlineData(100_000_000, "step-100000000")]
    [InlineData(long.MaxValue, "step-9223372036854775807")]
    public void Names_round_trip(long step, string name)
    {
        Assert.Equal(name, CheckpointFolders.StepFolderName(step));
        Assert.True(CheckpointFolders.TryParseStep(name, out var parsed));
        Assert.Equal(step, parsed);
    }

    [Fact]
    public void Names_below_ten_to_the_eighth_sort_by_step()
    {
        long[] steps = [7, 1000, 30, 99_999_999, 500];
        Assert.Equal(steps.Order(), steps.Select(CheckpointFolders.StepFolderName).Order(StringComparer.Ordinal)
            .Select(n => CheckpointFolders.TryParseStep(n, out var s) ? s : -1));
    }

    [Fact]
    public void Negative_steps_have_no_name() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CheckpointFolders.StepFolderName(-1));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("latest")]
    [InlineData("step-")]
    [InlineData("step-1234567")] // 7 digits: not a name this code makes
    [InlineData("Step-00000010")]
    [InlineData("step_00000010")]
    [InlineData(" step-00000010")]
    [InlineData("step-00000010 ")]
    [InlineData("step-00000010/")]
    [InlineData("runs/step-00000010")]
    [InlineData("step-+0000010")]
    [InlineData("step--0000010")]
    [InlineData("step-0000001a")]
    [InlineData("step-0000\u0661\u0662\u0663\u0664")] // Arabic-Indic digits
    [InlineData("step-99999999999999999999")] // 20 digits
    [InlineData("step-9223372036854775808")] // long.MaxValue + 1
    [InlineData(".step-00000010.tmp-0123")]
    public void Parse_rejects_what_is_not_a_step_folder_name(string? name)
    {
        Assert.False(CheckpointFolders.TryParseStep(name, out var step));
        Assert.Equal(0, step);
    }

    [Fact]
    public void Padding_beyond_eight_digits_still_parses()
    {
        // Steps from 10^8 on have more than 8 digits, so the parser takes 8 to 19 whatever their value.
        Assert.True(CheckpointFolders.TryParseStep("step-000000010", out var ten));
        Assert.Equal(10, ten);
    }

    [Fact]
    public void Latest_step_is_the_highest_parseable_name()
    {
        Assert.Equal(120, CheckpointFolders.LatestStep(["step-00000020", "latest", "step-00000120", "step-99", ".step-00000900.tmp-x", "step-00000100"]));
        Assert.Null(CheckpointFolders.LatestStep(["latest", "notes.txt"]));
        Assert.Null(CheckpointFolders.LatestStep([]));
    }

    [Fact]
    public void Step_of_a_path_reads_its_last_segment()
    {
        Assert.Equal(10, CheckpointFolders.StepOfPath(Path.Combine("runs", "a", "checkpoints", "step-00000010")));
        Assert.Equal(10, CheckpointFolders.StepOfPath(Path.Combine("runs", "step-00000010") + Path.DirectorySeparatorChar));
        Assert.Null(CheckpointFolders.StepOfPath(Path.Combine("step-00000010", "model.safetensors")));
    }

    [Fact]
    public void List_and_find_latest_go_by_manifest_and_skip_incomplete_folders()
    {
        using var root = new TempFolder();
        Assert.Empty(CheckpointFolders.List(root.Combine("missing")));
        Assert.Null(CheckpointFolders.FindLatest(root.Path));

        var ten = root.CopyFixture("step-00000010", step: 10);
        var thirty = root.CopyFixture("step-00000030", step: 30);
        root.CopyFixture(".step-00000090.tmp-abc", step: 90); // a writer's temp folder left by a crash
        Directory.CreateDirectory(root.Combine("step-00000080")); // no manifest: incomplete
        var broken = root.CopyFixture("step-00000070", step: 70);
        File.WriteAllText(Path.Combine(broken, CheckpointFiles.Manifest), "{ not json");

        Assert.Equal([(ten, 10L), (thirty, 30L)], CheckpointFolders.List(root.Path).Select(c => (c.Directory, c.Step)));
        Assert.Equal(thirty, CheckpointFolders.FindLatest(root.Path));
    }
}
