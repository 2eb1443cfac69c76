namespace PaletteCluster.Cli;

/// <summary>
/// A one-line progress bar redrawn in place on a terminal; when output is redirected (CI, files) it writes
/// plain lines instead, at most every <c>plainEvery</c> updates plus the last.
/// </summary>
public sealed class ProgressBar(TextWriter writer, int plainEvery = 1)
{
    private const int Width = 30;
    private readonly bool _terminal = !Console.IsOutputRedirected;
    private long _updates;

    /// <param name="keep">Leave this line on screen (e.g. a checkpoint was written) instead of redrawing over it.</param>
    public void Report(string label, long done, long total, string detail, bool keep = false)
    {
        int filled = (int)(Width * Math.Clamp(done, 0, Math.Max(1, total)) / Math.Max(1, total));
        var text = $"{label} {done}/{total} [{new string('#', filled)}{new string('.', Width - filled)}] {detail}";
        if (_terminal)
        {
            int columns = Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 140) : 100;
            writer.Write("\r" + (text.Length > columns ? text[..columns] : text.PadRight(columns)));
            if (keep) writer.WriteLine();
        }
        else if (keep || done >= total || _updates % plainEvery == 0)
        {
            writer.WriteLine(text);
        }
        _updates++;
    }

    public void Finish()
    {
        if (_terminal) writer.WriteLine();
    }
}
