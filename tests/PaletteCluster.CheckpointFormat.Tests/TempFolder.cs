namespace PaletteCluster.CheckpointFormat.Tests;

/// <summary>A unique temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ckpt-format-tests-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>A copy of the fixture checkpoint (step 42) as <paramref name="name"/>, optionally with its manifest's step changed.</summary>
    public string CopyFixture(string name, long? step = null)
    {
        var target = Combine(name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Fixture.Folder))
            File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
        if (step is { } s)
        {
            var manifest = System.IO.Path.Combine(target, CheckpointFiles.Manifest);
            File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"step\": 42,", $"\"step\": {s},"));
        }
        return target;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The checkpoint folder under Fixtures/, written by the CheckpointWriter of the previous build.</summary>
internal static class Fixture
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "step-00000042");
}
