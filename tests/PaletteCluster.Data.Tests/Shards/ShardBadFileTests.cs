using System.Text.Json;
using PaletteCluster.Data.Shards;
using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tests.Shards;

public class ShardBadFileTests
{
    private static readonly byte[] Jpeg = Samples.EncodeJpeg(Samples.Synthetic(40, 30, 3));

    /// <summary>Builds 'in' = the good images plus one bad file; checks the bad one is reported and the rest written.</summary>
    private static (ShardBuildReport Report, List<ShardRecord> Records, Dictionary<string, byte[]> Good) BuildWith(
        TempDir dir, Func<ShardBuildOptions, ShardBuildOptions>? configure = null)
    {
        var good = ShardTestSupport.WriteGoodImages(dir, count: 3);
        var options = ShardTestSupport.Options(dir);
        if (configure is not null) options = configure(options);
        var report = ShardBuilder.Build(options);
        var records = ShardReader.Open(options.OutputFolder, verifyShardHashes: true).ReadAll().ToList();
        return (report, records, good);
    }

    private static ShardIssue Single(ShardBuildReport report, string source)
    {
        var issue = Assert.Single(report.Issues);
        Assert.Equal(source, issue.Source);
        return issue;
    }

    private static void AssertGoodWritten(List<ShardRecord> records, Dictionary<string, byte[]> good)
    {
        foreach (var (rel, bytes) in good)
            Assert.Equal(bytes, Assert.Single(records, r => r.Metadata.Source == rel).ImageBytes);
    }

    [Theory]
    [InlineData("zero.jpg", ShardIssueKind.ZeroByte, "zero-byte")]
    [InlineData("truncated.jpg", ShardIssueKind.Truncated, "truncated")]
    [InlineData("random.png", ShardIssueKind.NotAnImage, "not an image")]
    [InlineData("text.jpg", ShardIssueKind.NotAnImage, "not an image")]
    public void Broken_file_is_skipped_with_its_reason_and_the_rest_is_written(string name, ShardIssueKind kind, string reason)
    {
        using var dir = new TempDir();
        byte[] content = name switch
        {
            "zero.jpg" => Array.Empty<byte>(),
            "truncated.jpg" => Jpeg[..(Jpeg.Length / 2)],
            "random.png" => Enumerable.Range(0, 3000).Select(i => (byte)(i * 7919 >> 3)).ToArray(),
            _ => "this is not a JPEG, just some text\n"u8.ToArray(),
        };
        File.WriteAllBytes(dir.File("in/bad/" + name), content);

        var (report, records, good) = BuildWith(dir);

        var issue = Single(report, "bad/" + name);
        Assert.Equal(kind, issue.Kind);
        Assert.Contains(reason, issue.Reason);
        Assert.False(issue.Accepted);
        Assert.Equal(1, report.SkippedCount);
        Assert.Equal(good.Count, records.Count);
        Assert.DoesNotContain(records, r => r.Metadata.Source.StartsWith("bad/", StringComparison.Ordinal));
        AssertGoodWritten(records, good);
    }

    [Fact]
    public void Jpeg_named_png_is_accepted_flagged_mislabelled_and_stored_as_jpg()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("in/bad/really-a-jpeg.png"), Jpeg);

        var (report, records, good) = BuildWith(dir);

        var issue = Single(report, "bad/really-a-jpeg.png");
        Assert.Equal(ShardIssueKind.Mislabelled, issue.Kind);
        Assert.True(issue.Accepted);
        Assert.Contains("JPEG", issue.Reason);
        Assert.Equal((0, 1), (report.SkippedCount, report.FlaggedCount));
        var record = Assert.Single(records, r => r.Metadata.Source == "bad/really-a-jpeg.png");
        Assert.Equal(".jpg", record.Extension);
        Assert.Equal("jpeg", record.Metadata.Format);
        Assert.Equal(Jpeg, record.ImageBytes);
        Assert.Equal((40, 30), (record.Metadata.Width, record.Metadata.Height));
        AssertGoodWritten(records, good);
    }

    [Fact]
    public void Image_above_the_pixel_limit_is_skipped_from_its_header()
    {
        using var dir = new TempDir();
        ImageCodec.SavePng(Samples.Synthetic(100, 80), dir.File("in/bad/huge.png"));

        // The good images are at most 22x16 = 352 pixels.
        var (report, records, good) = BuildWith(dir, o => o with { MaxPixels = 5000 });

        var issue = Single(report, "bad/huge.png");
        Assert.Equal(ShardIssueKind.TooLarge, issue.Kind);
        Assert.Contains("100x80", issue.Reason);
        Assert.Contains("5000", issue.Reason);
        Assert.Equal(good.Count, records.Count);
        AssertGoodWritten(records, good);
    }

    [Fact]
    public void File_above_the_byte_limit_is_skipped_without_decoding()
    {
        using var dir = new TempDir();
        var big = new byte[20_000];
        Jpeg.CopyTo(big, 0); // a JPEG start, then padding: size alone must decide
        File.WriteAllBytes(dir.File("in/bad/big.jpg"), big);

        var (report, records, good) = BuildWith(dir, o => o with { MaxFileBytes = 10_000 });

        var issue = Single(report, "bad/big.jpg");
        Assert.Equal(ShardIssueKind.TooLarge, issue.Kind);
        Assert.Contains("20000 bytes", issue.Reason);
        AssertGoodWritten(records, good);
    }

    [Fact]
    public void Unreadable_file_is_skipped_as_unreadable()
    {
        using var dir = new TempDir();
        string source;
        Func<ShardBuildOptions, ShardBuildOptions>? configure = null;
        if (!Environment.IsPrivilegedProcess && !OperatingSystem.IsWindows())
        {
            source = "bad/locked.jpg";
            var path = dir.File("in/" + source);
            File.WriteAllBytes(path, Jpeg);
            File.SetUnixFileMode(path, UnixFileMode.None);
        }
        else
        {
            // Root reads through chmod 000, so use a path no one can read as a file: a directory named like a JPEG,
            // named in a list file (folder scans only list files).
            source = "bad/folder.jpg";
            Directory.CreateDirectory(dir.File("in/" + source));
            File.WriteAllText(dir.File("list.txt"), "in/" + source + "\n");
            configure = o => o with { ListFiles = new[] { Path.Combine(dir.Path, "list.txt") } };
        }

        var (report, records, good) = BuildWith(dir, configure);

        var issue = Assert.Single(report.Issues);
        Assert.Equal(source, issue.Source); // relative to in/, the deepest common folder
        Assert.Equal(ShardIssueKind.Unreadable, issue.Kind);
        Assert.Contains("unreadable", issue.Reason);
        Assert.Equal(good.Count, records.Count);
        AssertGoodWritten(records, good);
    }

    [Fact]
    public void Missing_file_named_in_a_list_is_unreadable()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("list.txt"), "in/gone.png\n");
        var (report, _, good) = BuildWith(dir, o => o with { ListFiles = new[] { Path.Combine(dir.Path, "list.txt") } });
        var issue = Single(report, "gone.png"); // relative to in/, the deepest common folder
        Assert.Equal(ShardIssueKind.Unreadable, issue.Kind);
        Assert.Contains("not found", issue.Reason);
        Assert.Equal(good.Count, report.RecordsWritten);
    }

    [Fact]
    public void All_kinds_together_are_counted_and_listed_in_report_json()
    {
        using var dir = new TempDir();
        Samples.WriteBadFiles(dir); // bad/empty.jpg, bad/truncated.jpg, bad/random.png, bad/text.jpg under dir
        foreach (var f in Directory.GetFiles(Path.Combine(dir.Path, "bad")))
            File.Move(f, dir.File("in/bad/" + Path.GetFileName(f)));
        File.WriteAllBytes(dir.File("in/bad/jpeg.png"), Jpeg);
        ImageCodec.SavePng(Samples.Synthetic(100, 80), dir.File("in/bad/huge.png"));

        var (report, records, good) = BuildWith(dir, o => o with { MaxPixels = 5000 });

        Assert.Equal(good.Count + 6, report.InputFiles);
        Assert.Equal(good.Count + 1, report.RecordsWritten);
        Assert.Equal(good.Count + 1, records.Count);
        Assert.Equal((5, 1), (report.SkippedCount, report.FlaggedCount));
        var kinds = report.Issues.ToDictionary(i => i.Source, i => i.Kind);
        Assert.Equal(ShardIssueKind.ZeroByte, kinds["bad/empty.jpg"]);
        Assert.Equal(ShardIssueKind.Truncated, kinds["bad/truncated.jpg"]);
        Assert.Equal(ShardIssueKind.NotAnImage, kinds["bad/random.png"]);
        Assert.Equal(ShardIssueKind.NotAnImage, kinds["bad/text.jpg"]);
        Assert.Equal(ShardIssueKind.Mislabelled, kinds["bad/jpeg.png"]);
        Assert.Equal(ShardIssueKind.TooLarge, kinds["bad/huge.png"]);
        // Issues are in input (ordinal) order.
        Assert.Equal(report.Issues.Select(i => i.Source).OrderBy(s => s, StringComparer.Ordinal), report.Issues.Select(i => i.Source));

        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir.Path, "out", ShardFormat.ReportFileName)));
        var files = json.RootElement.GetProperty("issues").EnumerateArray().ToList();
        Assert.Equal(6, files.Count);
        var truncated = files.Single(f => f.GetProperty("source").GetString() == "bad/truncated.jpg");
        Assert.Equal("truncated", truncated.GetProperty("kind").GetString());
        Assert.False(truncated.GetProperty("accepted").GetBoolean());
        Assert.Equal("mislabelled", files.Single(f => f.GetProperty("source").GetString() == "bad/jpeg.png").GetProperty("kind").GetString());
        Assert.Equal(5, json.RootElement.GetProperty("skippedCount").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("countsByKind").GetProperty("not-an-image").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("countsByKind").GetProperty("zero-byte").GetInt32());
    }
}
