namespace PaletteCluster.Hosting.Tests;

[GenerateSerializer, Alias("PaletteCluster.Hosting.Tests.CounterState")]
public sealed class CounterState
{
    [Id(0)] public int Total { get; set; }
    [Id(1)] public List<string> Notes { get; set; } = [];
}

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Add(int amount, string note);
    Task<int> Total();
}

/// <summary>Keeps a running total in the "palette" storage.</summary>
public sealed class CounterGrain([PersistentState("counter", "palette")] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    public async Task<int> Add(int amount, string note)
    {
        state.State.Total += amount;
        state.State.Notes.Add(note);
        await state.WriteStateAsync();
        return state.State.Total;
    }

    public Task<int> Total() => Task.FromResult(state.State.Total);
}

/// <summary>A second grain type with the same state name as <see cref="CounterGrain"/>: the two must not share rows.</summary>
public interface IOtherCounterGrain : IGrainWithStringKey
{
    Task<int> Add(int amount);
}

public sealed class OtherCounterGrain([PersistentState("counter", "palette")] IPersistentState<CounterState> state) : Grain, IOtherCounterGrain
{
    public async Task<int> Add(int amount)
    {
        state.State.Total += amount;
        await state.WriteStateAsync();
        return state.State.Total;
    }
}

public interface IAlarmGrain : IGrainWithStringKey
{
    Task Start(TimeSpan period);
    Task Stop();
    Task<int> Ticks();
}

/// <summary>Counts the ticks of one reminder (in memory: the reminder's row is what the test inspects).</summary>
public sealed class AlarmGrain : Grain, IAlarmGrain, IRemindable
{
    public const string ReminderName = "tick";
    private int ticks;

    public Task Start(TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMilliseconds(200), period);

    public async Task Stop()
    {
        var reminder = await this.GetReminder(ReminderName);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }

    public Task<int> Ticks() => Task.FromResult(ticks);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ReminderName) ticks++;
        return Task.CompletedTask;
    }
}
