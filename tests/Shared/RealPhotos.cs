namespace PaletteCluster.Testing;

/// <summary>
/// Real colour photos from the Debian package opencv-doc (installed by build/prereqs.sh). Tests that need them
/// fail, never skip, when the package is missing.
/// </summary>
public static class RealPhotos
{
    public const string Folder = "/usr/share/doc/opencv-doc/examples/data";

    public static readonly string[] Names = ["baboon.jpg", "fruits.jpg", "apple.jpg", "orange.jpg", "butterfly.jpg", "building.jpg"];

    /// <summary>Copies the first <paramref name="count"/> photos into <paramref name="dir"/> and returns it.</summary>
    public static string CopyTo(string dir, int count)
    {
        Directory.CreateDirectory(dir);
        foreach (var name in Names.Take(count))
        {
            var source = Path.Combine(Folder, name);
            Assert.True(File.Exists(source),
                $"Missing {source}: these tests train on real photos from the Debian package opencv-doc; run build/prereqs.sh");
            File.Copy(source, Path.Combine(dir, name), overwrite: true);
        }
        return dir;
    }

    public static string NewTempDir(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
