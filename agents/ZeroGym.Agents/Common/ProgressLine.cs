using System.Diagnostics;

namespace ZeroGym.Agents.Common;

/// <summary>
/// A live status line. On a terminal it is rewritten in place (carriage return) at most four times a second; into a
/// file or pipe it becomes a plain line every five seconds, so logs stay readable. Permanent lines written through
/// <see cref="WriteLine"/> never collide with it.
/// </summary>
internal sealed class ProgressLine(TextWriter console, bool interactive)
{
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    private readonly Stopwatch sinceLastUpdate = new();
    private bool lineOpen;

    /// <summary>Whether an update now would be shown; building the text can be skipped when not.</summary>
    public bool IsDue => !sinceLastUpdate.IsRunning || sinceLastUpdate.Elapsed >= (interactive ? TerminalInterval : PlainInterval);

    /// <summary>Shows <paramref name="text"/> if an update is due.</summary>
    public void Update(string text)
    {
        if (!IsDue) return;
        sinceLastUpdate.Restart();
        if (interactive)
        {
            // \e[K erases what a longer previous line left on the right.
            console.Write($"\r{text}\u001b[K");
            lineOpen = true;
        }
        else
        {
            console.WriteLine(text);
        }

        console.Flush();
    }

    /// <summary>Writes a permanent line, ending the live line first.</summary>
    public void WriteLine(string text)
    {
        if (lineOpen)
        {
            console.WriteLine();
            lineOpen = false;
        }

        console.WriteLine(text);
        console.Flush();
    }
}
