using Orleans.TestingHost;
using PaletteCluster.Grains;
using PaletteCluster.Hosting.Storage;

namespace PaletteCluster.Worker.Tests;

/// <summary>A one-silo in-process cluster with the palette grains on file storage in a temp folder.</summary>
public sealed class JobClusterFixture : IAsyncLifetime
{
    private InProcessTestCluster? _cluster;

    public string StorageRoot { get; } = Path.Combine(Path.GetTempPath(), "palette-worker-tests-" + Guid.NewGuid().ToString("N"));

    public IClusterClient Client => (_cluster ?? throw new InvalidOperationException("cluster not started")).Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddFileGrainStorage(PaletteStorage.Name, o => o.RootDirectory = StorageRoot);
            silo.UseInMemoryReminderService(); // running jobs keep a watchdog reminder
            silo.AddPaletteGrains();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        if (Directory.Exists(StorageRoot)) Directory.Delete(StorageRoot, recursive: true);
    }
}
