using System.Globalization;
using System.Text;

namespace PaletteCluster.Cluster.Tests;

public enum ChaosVictim { Worker, Silo }

/// <summary>One SIGKILL of the chaos test and what followed it.</summary>
public sealed class ChaosKill
{
    public required int Round { get; init; }
    public required ChaosVictim Kind { get; init; }
    /// <summary>"worker w1" or "silo 0".</summary>
    public required string Victim { get; init; }
    public required int ProcessId { get; init; }
    /// <summary>The job's step as the API reported it in the last poll before the kill.</summary>
    public required long StepAtKill { get; init; }
    /// <summary>The job's (published) checkpoint step in that poll.</summary>
    public required long CheckpointAtKill { get; init; }
    public required DateTimeOffset KilledAt { get; init; }

    /// <summary>The worker that took the job over after the kill; null when the job stayed with its worker (silo kills).</summary>
    public string? TakenBy { get; set; }
    public DateTimeOffset? TakenAt { get; set; }
    /// <summary>The checkpoint step the new worker restored from the store; null when nobody had to resume.</summary>
    public long? ResumedFrom { get; set; }
    /// <summary>When the job grain recorded the first progress report after the kill (after the take-over, if there was one).</summary>
    public DateTimeOffset? FirstNewStepAt { get; set; }
    public long? FirstNewStep { get; set; }
    /// <summary>When the job was seen running again with a checkpoint newer than the one at the kill: recovered for good.</summary>
    public DateTimeOffset? RecoveredAt { get; set; }
    /// <summary>How many times the job was taken by a worker between this kill and its recovery (1 expected for worker kills, 0 for silo kills).</summary>
    public int TakeOvers { get; set; }

    /// <summary>
    /// Work the job lost: the step it had reported before the kill minus the step it resumed from; 0 when it kept
    /// training, or when it resumed from a checkpoint past the reported step (a worker told to stop checkpoints
    /// where it is, which can be ahead of its last report).
    /// </summary>
    public long? StepsLost => ResumedFrom is { } from ? Math.Max(0, StepAtKill - from) : RecoveredAt is null ? null : 0;

    public double? TakeOverSeconds => TakenAt is { } at ? (at - KilledAt).TotalSeconds : null;
    public double? RecoverySeconds => FirstNewStepAt is { } at ? (at - KilledAt).TotalSeconds : null;
}

/// <summary>What the chaos test prints and writes: one row per kill, then the verdicts the test asserts.</summary>
public sealed class ChaosReport
{
    public required int Seed { get; init; }
    public required int Rounds { get; init; }
    public required long Steps { get; init; }
    public required int CheckpointEvery { get; init; }
    public required int ReportEvery { get; init; }
    public required int Workers { get; init; }
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public List<ChaosKill> Kills { get; } = [];

    public bool? Completed { get; set; }
    public string? FinalState { get; set; }
    public long? FinalStep { get; set; }
    /// <summary>Step folders found in the store at the end, and those that failed SHA-256 verification (with the reason).</summary>
    public List<long> VerifiedSteps { get; } = [];
    public List<string> CorruptSteps { get; } = [];
    /// <summary>Damaged checkpoints the workers skipped while restoring during the run (their log lines).</summary>
    public List<string> SkippedByRestores { get; } = [];
    public string? Latest { get; set; }
    public bool? LatestComplete { get; set; }
    public bool? BitwiseEqual { get; set; }
    /// <summary>Take-overs not explained by a kill (a worker declared lost while it was alive).</summary>
    public int UnexplainedTakeOvers { get; set; }
    public List<string> Notes { get; } = [];

    public int CorruptFound => CorruptSteps.Count + SkippedByRestores.Count;
    public int KillsSurvived => Kills.Count(k => k.RecoveredAt is not null);
    public long? MaxStepsLost => Kills.Select(k => k.StepsLost).Max(); // null when no kill recovered

    public override string ToString()
    {
        static string F(double? v) => v is { } x ? x.ToString("F1", CultureInfo.InvariantCulture) : "-";
        var s = new StringBuilder();
        s.AppendLine($"## Chaos test report ({StartedAt:yyyy-MM-dd HH:mm:ss} UTC, {(DateTimeOffset.UtcNow - StartedAt).TotalSeconds:F0} s)");
        s.AppendLine();
        s.AppendLine($"seed {Seed} (PALETTE_CHAOS_SEED), {Rounds} rounds (PALETTE_CHAOS_ROUNDS); job: tiny preset, {Steps} steps, " +
                     $"checkpoint_every {CheckpointEvery}, report_every {ReportEvery}; 2 silos, {Workers} workers, checkpoints in Azurite");
        s.AppendLine();
        s.AppendLine("| # | victim | step at kill | checkpoint at kill | resumed from | steps lost | taken over after (s) | kill -> first new step (s) | trained on by |");
        s.AppendLine("|--:|---|--:|--:|--:|--:|--:|--:|---|");
        // "taken over after": kill -> the new worker's "took job" line; "first new step": kill -> the job grain's
        // first recorded progress report after the kill (after the last take-over, if any).
        foreach (var k in Kills)
        {
            string resumed = k.ResumedFrom?.ToString(CultureInfo.InvariantCulture) ?? (k.RecoveredAt is null ? "-" : "(kept training)");
            string lost = k.StepsLost?.ToString(CultureInfo.InvariantCulture) ?? "NOT RECOVERED";
            string holder = (k.TakenBy ?? (k.RecoveredAt is null ? "-" : "same worker")) + (k.TakeOvers > 1 ? $" ({k.TakeOvers} take-overs)" : "");
            s.AppendLine($"| {k.Round} | {k.Victim} | {k.StepAtKill} | {k.CheckpointAtKill} | {resumed} | {lost} | {F(k.TakeOverSeconds)} | {F(k.RecoverySeconds)} | {holder} |");
        }
        s.AppendLine();
        int workerKills = Kills.Count(k => k.Kind == ChaosVictim.Worker), siloKills = Kills.Count - workerKills;
        s.AppendLine($"kills survived: {KillsSurvived} of {Kills.Count} ({workerKills} worker, {siloKills} silo)");
        s.AppendLine($"steps lost per kill: max {MaxStepsLost?.ToString(CultureInfo.InvariantCulture) ?? "-"} (checkpoint interval {CheckpointEvery})");
        s.AppendLine($"corrupt checkpoints found: {CorruptFound} (store step folders verified by SHA-256 at the end: " +
                     $"{(VerifiedSteps.Count == 0 ? "none" : string.Join(", ", VerifiedSteps))}" +
                     $"{(CorruptSteps.Count > 0 ? $"; corrupt: {string.Join("; ", CorruptSteps)}" : "")}; damaged steps skipped by restores during the run: " +
                     $"{(SkippedByRestores.Count == 0 ? "0" : string.Join("; ", SkippedByRestores))})");
        s.AppendLine($"latest pointer: {Latest ?? "-"}{(LatestComplete is { } c ? c ? ", complete and verified" : ", NOT a complete verified checkpoint" : "")}");
        s.AppendLine($"job completed: {(Completed switch { true => "yes", false => "NO", null => "-" })} ({FinalState ?? "not reached"}, step {FinalStep?.ToString(CultureInfo.InvariantCulture) ?? "-"} of {Steps}); " +
                     $"parameters bitwise equal to an uninterrupted run: {(BitwiseEqual switch { true => "yes", false => "NO", null => "-" })}");
        s.AppendLine($"take-overs not explained by a kill: {UnexplainedTakeOvers}");
        foreach (var note in Notes) s.AppendLine($"note: {note}");
        return s.ToString();
    }
}
