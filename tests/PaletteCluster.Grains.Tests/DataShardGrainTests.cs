using PaletteCluster.Abstractions;

namespace PaletteCluster.Grains.Tests;

/// <summary>Exclusive, expiring shard leases; time moves only through the fixture's manual clock.</summary>
public sealed class DataShardGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private IDataShardGrain NewShard() => fixture.Client.GetGrain<IDataShardGrain>($"job-{Guid.NewGuid():N}/0");

    [Fact]
    public async Task A_valid_lease_belongs_to_its_holder_alone()
    {
        var shard = NewShard();
        var first = await shard.Acquire("w1", Minute);
        Assert.True(first.Granted);
        Assert.Equal("w1", first.Holder);
        Assert.Equal(fixture.Clock.GetUtcNow() + Minute, first.ExpiresAt);

        var second = await shard.Acquire("w2", Minute);
        Assert.False(second.Granted);
        Assert.Equal("w1", second.Holder);
        Assert.Equal(first.ExpiresAt, second.ExpiresAt);

        await shard.Release("w2");
        Assert.Equal("w1", (await shard.GetLease()).Holder);
    }

    [Fact]
    public async Task Renewal_extends_and_expiry_lets_another_holder_in()
    {
        var shard = NewShard();
        await shard.Acquire("w1", Minute);
        fixture.Clock.Advance(TimeSpan.FromSeconds(50));
        var renewed = await shard.Acquire("w1", Minute);
        Assert.True(renewed.Granted);
        Assert.Equal(fixture.Clock.GetUtcNow() + Minute, renewed.ExpiresAt);

        // 50 s after the renewal the old expiry is past but the renewed one is not.
        fixture.Clock.Advance(TimeSpan.FromSeconds(50));
        Assert.False((await shard.Acquire("w2", Minute)).Granted);

        fixture.Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.False((await shard.GetLease()).Granted);
        var taken = await shard.Acquire("w2", Minute);
        Assert.True(taken.Granted);
        Assert.Equal("w2", taken.Holder);
        Assert.False((await shard.Acquire("w1", Minute)).Granted);
    }

    [Fact]
    public async Task Release_by_the_holder_frees_the_shard_at_once()
    {
        var shard = NewShard();
        await shard.Acquire("w1", Minute);
        await shard.Release("w1");
        var taken = await shard.Acquire("w2", Minute);
        Assert.True(taken.Granted);
        Assert.Equal("w2", taken.Holder);
    }
}
