using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using PaletteCluster.Hosting.Storage;

namespace PaletteCluster.Grains.Tests;

/// <summary>
/// A real two-silo cluster whose "palette" storage is the file store on a temp folder, and whose grains read a
/// <see cref="ManualClock"/>. One per test class; each class gets its own folder, clock and cluster directory.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>Progress writes every 3rd report (or on a checkpoint); the interval never fires on the frozen clock.</summary>
    public const int ProgressWriteEveryReports = 3;

    private InProcessTestCluster? _cluster;

    public ManualClock Clock { get; } = new();

    public string StorageRoot { get; } = Path.Combine(Path.GetTempPath(), "palette-grains-tests-" + Guid.NewGuid().ToString("N"));

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("cluster not started");

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddFileGrainStorage(PaletteStorage.Name, o => o.RootDirectory = StorageRoot);
            silo.UseInMemoryReminderService(); // running jobs keep a watchdog reminder
            // Grains get the manual clock; Orleans' background loops (membership, collection) keep real time.
            silo.Services.AddSingleton<TimeProvider>(Clock);
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.AddPaletteGrains(writes =>
            {
                writes.ProgressWriteEveryReports = ProgressWriteEveryReports;
                writes.ProgressWriteInterval = TimeSpan.FromHours(1);
                writes.HeartbeatWriteInterval = TimeSpan.FromHours(1);
            }, dashboard => dashboard.WriteEveryPoints = 1000);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        if (Directory.Exists(StorageRoot)) Directory.Delete(StorageRoot, recursive: true);
    }

    /// <summary>The file a grain's state lives in.</summary>
    public string StateFile(string stateName, IAddressable grain) =>
        Path.Combine(StorageRoot, GrainFileNames.Escape(stateName), GrainFileNames.Escape(grain.GetGrainId().ToString()) + ".json");

    /// <summary>The stored record of a grain as JSON (its "State" member), and the stored ETag.</summary>
    public (JsonElement State, string ETag) ReadStored(string stateName, IAddressable grain)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(StateFile(stateName, grain)));
        return (document.RootElement.GetProperty("State").Clone(), document.RootElement.GetProperty("ETag").GetString()!);
    }

    public string? StoredETag(string stateName, IAddressable grain) =>
        File.Exists(StateFile(stateName, grain)) ? ReadStored(stateName, grain).ETag : null;
}
