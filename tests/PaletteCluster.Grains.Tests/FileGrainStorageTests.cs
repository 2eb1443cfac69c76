using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using PaletteCluster.Abstractions;
using PaletteCluster.Grains.Jobs;
using PaletteCluster.Hosting.Storage;

namespace PaletteCluster.Grains.Tests;

public sealed class FileGrainStorageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "palette-file-storage-" + Guid.NewGuid().ToString("N"));
    private readonly FileGrainStorage _storage;
    private static readonly GrainId Job = GrainId.Create("job", "job/with:odd chars");

    public FileGrainStorageTests()
    {
        _storage = new FileGrainStorage("palette", new FileGrainStorageOptions { RootDirectory = _root },
            new JsonGrainStateSerializer(), NullLogger<FileGrainStorage>.Instance);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static JobRecord Record(long step) => new()
    {
        Status = new JobStatus
        {
            JobId = "job/with:odd chars",
            Spec = new JobSpec { Name = "n", Recipe = new() { GradClip = 1.0 } },
            State = JobState.Running,
            Step = step,
            Workers = ["w1"],
            CreatedAt = DateTimeOffset.UnixEpoch,
        },
    };

    private async Task<GrainState<T>> Read<T>(GrainId id)
    {
        var state = new GrainState<T>();
        await _storage.ReadStateAsync("job", id, state);
        return state;
    }

    [Fact]
    public async Task Missing_state_reads_as_new()
    {
        var state = await Read<JobRecord>(Job);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.Null(state.State.Status);
    }

    [Fact]
    public async Task Written_state_reads_back_equal_with_plain_json_on_disk()
    {
        var state = new GrainState<JobRecord>(Record(42));
        await _storage.WriteStateAsync("job", Job, state);
        Assert.True(state.RecordExists);
        Assert.Equal("1", state.ETag);

        var read = await Read<JobRecord>(Job);
        Assert.Equal("1", read.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(42, read.State!.Status!.Step);
        Assert.Equal(["w1"], read.State.Status.Workers);
        Assert.Equal(JobState.Running, read.State.Status.State);
        Assert.Equal(1.0, read.State.Status.Spec.Recipe.GradClip);

        var path = _storage.PathOf("job", Job);
        var text = File.ReadAllText(path);
        Assert.Contains("\"State\":\"Running\"", text);
        Assert.DoesNotContain("PaletteCluster", text);
        Assert.DoesNotContain("$type", text);
        Assert.Equal(Path.Combine(_root, "job"), Path.GetDirectoryName(path));
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "job")));
    }

    /// <summary>Stand-in for a state type that was renamed or moved: same property names, different CLR type.</summary>
    private sealed class MovedJobRecord
    {
        public MovedStatus? Status { get; set; }
        public sealed class MovedStatus
        {
            public string JobId { get; set; } = "";
            public JobState State { get; set; }
            public long Step { get; set; }
        }
    }

    [Fact]
    public async Task State_reads_into_a_moved_type_with_the_same_shape()
    {
        await _storage.WriteStateAsync("job", Job, new GrainState<JobRecord>(Record(7)));
        var moved = await Read<MovedJobRecord>(Job);
        Assert.Equal(("job/with:odd chars", JobState.Running, 7L), (moved.State!.Status!.JobId, moved.State.Status.State, moved.State.Status.Step));
    }

    [Fact]
    public async Task Stale_etag_is_refused_and_keeps_the_stored_state()
    {
        var first = new GrainState<JobRecord>(Record(1));
        await _storage.WriteStateAsync("job", Job, first);
        var a = await Read<JobRecord>(Job);
        var b = await Read<JobRecord>(Job);

        a.State = Record(2);
        await _storage.WriteStateAsync("job", Job, a);
        Assert.Equal("2", a.ETag);

        b.State = Record(3);
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("job", Job, b));
        Assert.Equal("2", error.StoredEtag);
        Assert.Equal("1", error.CurrentEtag);
        Assert.Equal("1", b.ETag);
        Assert.Equal(2, (await Read<JobRecord>(Job)).State!.Status!.Step);

        // A writer that believes there is no record yet is stale too.
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("job", Job, new GrainState<JobRecord>(Record(9))));
    }

    [Fact]
    public async Task Concurrent_writers_with_one_etag_let_exactly_one_through()
    {
        await _storage.WriteStateAsync("job", Job, new GrainState<JobRecord>(Record(0)));
        var writers = Enumerable.Range(1, 6).Select(i => new GrainState<JobRecord>(Record(i)) { ETag = "1", RecordExists = true }).ToArray();
        var results = await Task.WhenAll(writers.Select(async w =>
        {
            try { await _storage.WriteStateAsync("job", Job, w); return true; }
            catch (InconsistentStateException) { return false; }
        }));
        Assert.Single(results, ok => ok);
        var winner = writers[Array.IndexOf(results, true)];
        Assert.Equal(winner.State!.Status!.Step, (await Read<JobRecord>(Job)).State!.Status!.Step);
        Assert.Empty(Directory.GetFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Clear_deletes_the_file_and_checks_the_etag()
    {
        var state = new GrainState<JobRecord>(Record(5));
        await _storage.WriteStateAsync("job", Job, state);
        var stale = new GrainState<JobRecord>(Record(5)) { ETag = "0", RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("job", Job, stale));
        Assert.True(File.Exists(_storage.PathOf("job", Job)));

        await _storage.ClearStateAsync("job", Job, state);
        Assert.False(File.Exists(_storage.PathOf("job", Job)));
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Null(state.State!.Status);
        Assert.False((await Read<JobRecord>(Job)).RecordExists);

        // Written again from scratch after a clear.
        await _storage.WriteStateAsync("job", Job, state);
        Assert.Equal("1", state.ETag);
    }

    [Theory]
    [InlineData("job/with:odd chars")]
    [InlineData("..")]
    [InlineData("a~7Eb")]
    [InlineData("100%/x\\y?*<>|\"")]
    [InlineData("ジョブ/ünïcode")]
    [InlineData("plain-id_1")]
    public void Escaped_names_are_safe_and_reversible(string id)
    {
        var name = GrainFileNames.Escape(id);
        Assert.Matches(new Regex("^[A-Za-z0-9_~-]+$"), name);
        Assert.Equal(id, GrainFileNames.Unescape(name));
    }

    [Fact]
    public void Distinct_ids_never_share_a_name()
    {
        var ids = new[] { "a/b", "a~2Fb", "a_b", "a-b", "A/b", "a/b/" };
        Assert.Equal(ids.Length, ids.Select(GrainFileNames.Escape).Distinct().Count());
    }

    [Fact]
    public void Overlong_ids_get_short_distinct_hashed_names()
    {
        var a = new string('x', 300) + "a";
        var b = new string('x', 300) + "b";
        var nameA = GrainFileNames.Escape(a);
        Assert.InRange(Encoding.UTF8.GetByteCount(nameA), 1, GrainFileNames.MaxLength);
        Assert.NotEqual(nameA, GrainFileNames.Escape(b));
        Assert.Throws<FormatException>(() => GrainFileNames.Unescape(nameA));
    }
}
