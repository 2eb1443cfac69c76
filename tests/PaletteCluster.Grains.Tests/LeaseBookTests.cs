using PaletteCluster.Grains.Shards;

namespace PaletteCluster.Grains.Tests;

public sealed class LeaseBookTests
{
    private readonly ManualClock _clock = new();
    private readonly ShardLeaseState _state = new();
    private static readonly TimeSpan Ten = TimeSpan.FromSeconds(10);

    private LeaseBook Book() => new(_state, _clock);

    [Fact]
    public void Other_holder_is_refused_until_expiry_then_granted()
    {
        var book = Book();
        Assert.True(book.Acquire("a", Ten, out var changed).Granted);
        Assert.True(changed);

        _clock.Advance(TimeSpan.FromSeconds(9));
        var refused = book.Acquire("b", Ten, out changed);
        Assert.False(refused.Granted);
        Assert.False(changed);
        Assert.Equal("a", refused.Holder);

        // Expiry is exclusive: at ExpiresAt the lease is over.
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(book.ValidHolder);
        var granted = book.Acquire("b", Ten, out _);
        Assert.True(granted.Granted);
        Assert.Equal("b", granted.Holder);
        Assert.Equal(_clock.GetUtcNow() + Ten, granted.ExpiresAt);
    }

    [Fact]
    public void Same_holder_renews()
    {
        var book = Book();
        book.Acquire("a", Ten, out _);
        _clock.Advance(TimeSpan.FromSeconds(8));
        var renewed = book.Acquire("a", Ten, out var changed);
        Assert.True(changed);
        Assert.Equal(_clock.GetUtcNow() + Ten, renewed.ExpiresAt);
    }

    [Fact]
    public void Only_the_holder_releases()
    {
        var book = Book();
        book.Acquire("a", Ten, out _);
        Assert.False(book.Release("b"));
        Assert.Equal("a", _state.Holder);

        _clock.Advance(Ten);
        Assert.True(book.Release("a"));
        Assert.Null(_state.Holder);
    }

    [Fact]
    public void Bad_requests_are_rejected()
    {
        var book = Book();
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Acquire("a", TimeSpan.Zero, out _));
        Assert.Throws<ArgumentException>(() => book.Acquire("", Ten, out _));
        Assert.Null(_state.Holder);
    }
}
