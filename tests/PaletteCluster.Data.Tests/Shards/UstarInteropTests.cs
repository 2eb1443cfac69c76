using PaletteCluster.Data.Shards;

namespace PaletteCluster.Data.Tests.Shards;

public class UstarInteropTests
{
    private static byte[] Pattern(int n, int seed) => Enumerable.Range(0, n).Select(i => (byte)(i * 31 + seed)).ToArray();

    // Sizes around block boundaries, plus an empty member.
    private static readonly (string Name, byte[] Data)[] Entries =
    {
        ("a.bin", Pattern(1, 1)),
        ("empty.txt", Array.Empty<byte>()),
        ("dir/exact.bin", Pattern(512, 2)),
        ("dir/over.bin", Pattern(513, 3)),
        ("k000001.jpg", Pattern(5000, 4)),
        ("k000001.json", "{\"x\":1}"u8.ToArray()),
    };

    [Fact]
    public void Our_tar_is_listed_and_extracted_by_system_tar()
    {
        using var dir = new TempDir();
        string tarPath = dir.File("ours.tar");
        using (var w = new UstarWriter(File.Create(tarPath)))
            foreach (var (name, data) in Entries) w.WriteEntry(name, data);
        Assert.Equal(0, new FileInfo(tarPath).Length % 512);

        var listed = ShardTestSupport.RunTar(dir.Path, "-tf", tarPath)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Entries.Select(e => e.Name), listed);

        Directory.CreateDirectory(dir.File("x/.keep"));
        ShardTestSupport.RunTar(Path.Combine(dir.Path, "x"), "-xf", tarPath);
        foreach (var (name, data) in Entries)
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(dir.Path, "x", name)));
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("ustar")]
    [InlineData("pax")]
    public void Tar_made_by_system_tar_is_read_by_our_reader(string format)
    {
        using var dir = new TempDir();
        var files = Entries.ToList();
        // Long path: GNU stores it in a ././@LongLink member, ustar in the prefix field, pax in an 'x' header.
        files.Add(("deep/" + new string('d', 60) + "/" + new string('n', 70) + ".bin", Pattern(700, 5)));
        foreach (var (name, data) in files)
            File.WriteAllBytes(dir.File("src/" + name), data);
        string tarPath = Path.Combine(dir.Path, "theirs.tar");
        var names = files.Select(f => f.Name).ToArray();
        ShardTestSupport.RunTar(Path.Combine(dir.Path, "src"), new[] { "--format=" + format, "-cf", tarPath }.Concat(names).ToArray());

        using var reader = new UstarReader(File.OpenRead(tarPath), tarPath);
        var read = reader.ReadAll().ToList();

        Assert.Equal(names, read.Select(e => e.Name));
        for (int i = 0; i < files.Count; i++)
        {
            Assert.Equal(files[i].Data, read[i].Data);
            Assert.Equal(files[i].Data.Length, read[i].Size);
        }
    }

    [Fact]
    public void Directory_members_are_skipped_and_headers_only_mode_gives_offsets()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("src/sub/one.bin"), Pattern(600, 6));
        File.WriteAllBytes(dir.File("src/two.bin"), Pattern(10, 7));
        string tarPath = Path.Combine(dir.Path, "t.tar");
        ShardTestSupport.RunTar(Path.Combine(dir.Path, "src"), "-cf", tarPath, "sub", "two.bin"); // 'sub' adds a directory member

        using var stream = File.OpenRead(tarPath);
        using var reader = new UstarReader(stream, tarPath, leaveOpen: true);
        var headers = new List<TarEntry>();
        while (reader.Next(readData: false) is { } e) headers.Add(e);

        Assert.Equal(new[] { "sub/one.bin", "two.bin" }, headers.Select(h => h.Name));
        Assert.All(headers, h => Assert.Null(h.Data));
        var buffer = new byte[600];
        stream.Seek(headers[0].DataOffset, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        Assert.Equal(Pattern(600, 6), buffer);
    }

    [Fact]
    public void Corrupt_header_is_reported_with_the_archive_name_and_offset()
    {
        using var dir = new TempDir();
        string tarPath = dir.File("bad.tar");
        using (var w = new UstarWriter(File.Create(tarPath)))
        {
            w.WriteEntry("a.bin", Pattern(100, 1));
            w.WriteEntry("b.bin", Pattern(100, 2));
        }
        var bytes = File.ReadAllBytes(tarPath);
        bytes[1024 + 3] ^= 0x20; // second header's name
        File.WriteAllBytes(tarPath, bytes);

        using var reader = new UstarReader(File.OpenRead(tarPath), tarPath);
        var e = Assert.Throws<TarFormatException>(() => reader.ReadAll().ToList());
        Assert.Contains(tarPath, e.Message);
        Assert.Contains("checksum", e.Message);
        Assert.Contains("offset 1024", e.Message);
    }

    [Fact]
    public void Built_shards_extract_with_system_tar_to_the_original_images_and_sidecars()
    {
        using var dir = new TempDir();
        var originals = ShardTestSupport.WriteGoodImages(dir, count: 4);
        ShardBuilder.Build(ShardTestSupport.Options(dir));
        string shard = Path.Combine(dir.Path, "out", ShardFormat.ShardFileName(0));
        Directory.CreateDirectory(dir.File("x/.keep"));
        ShardTestSupport.RunTar(Path.Combine(dir.Path, "x"), "-xf", shard);

        foreach (var r in ShardReader.Open(Path.Combine(dir.Path, "out")).ReadAll())
        {
            Assert.Equal(originals[r.Metadata.Source], File.ReadAllBytes(Path.Combine(dir.Path, "x", r.Key + r.Extension)));
            var json = File.ReadAllText(Path.Combine(dir.Path, "x", r.Key + ".json"));
            Assert.Contains($"\"source\":\"{r.Metadata.Source}\"", json);
            Assert.Contains($"\"sha256\":\"{r.Metadata.Sha256}\"", json);
        }
    }
}
