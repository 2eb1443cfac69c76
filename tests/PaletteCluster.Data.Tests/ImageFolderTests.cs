namespace PaletteCluster.Data.Tests;

public class ImageFolderTests
{
    [Fact]
    public void Scan_lists_images_recursively_case_insensitive_in_ordinal_order()
    {
        using var dir = new TempDir();
        foreach (var f in new[] { "z.jpeg", "a/c.jpg", "a/B.PNG", "sub/deep/x.JPG", "Y.Jpeg", "notes.txt", "a/readme.md", "img.gif" })
            File.WriteAllBytes(dir.File(f), new byte[] { 1 });

        var folder = ImageFolder.Scan(dir.Path);

        Assert.Equal(new[] { "Y.Jpeg", "a/B.PNG", "a/c.jpg", "sub/deep/x.JPG", "z.jpeg" }, folder.RelativePaths);
        Assert.Equal(5, folder.Count);
        Assert.Equal(Path.Combine(dir.Path, "a", "B.PNG"), folder.FullPath(1));
        // Stable: a second scan gives the same list.
        Assert.Equal(folder.RelativePaths, ImageFolder.Scan(dir.Path + "/").RelativePaths);
    }

    [Fact]
    public void Scan_of_missing_folder_names_it()
    {
        using var dir = new TempDir();
        var missing = Path.Combine(dir.Path, "nope");
        var e = Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Scan(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Scan_of_folder_without_images_is_an_error()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("a/readme.txt"), "x");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Scan(dir.Path));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("no", e.Message);
    }
}
