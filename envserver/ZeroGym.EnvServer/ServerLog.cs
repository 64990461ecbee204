using System.Globalization;
using System.Text;

namespace ZeroGym.EnvServer;

/// <summary>
/// Structured log lines, one per event, <c>key=value</c> separated by spaces, so they can be grepped and parsed:
/// <c>2026-11-22T10:00:00.000Z info event=env_made client=0080000001 handle=1 env=CartPole-v1</c>.
/// </summary>
public sealed class ServerLog(TextWriter output)
{
    private readonly object gate = new();

    public void Info(string eventName, params ReadOnlySpan<(string Key, object? Value)> fields) => Write("info", eventName, fields);

    public void Warn(string eventName, params ReadOnlySpan<(string Key, object? Value)> fields) => Write("warn", eventName, fields);

    public void Error(string eventName, params ReadOnlySpan<(string Key, object? Value)> fields) => Write("error", eventName, fields);

    private void Write(string level, string eventName, ReadOnlySpan<(string Key, object? Value)> fields)
    {
        var line = new StringBuilder(128);
        line.Append(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))
            .Append(' ').Append(level).Append(" event=").Append(eventName);
        foreach (var (key, value) in fields)
        {
            if (value is null) continue;
            line.Append(' ').Append(key).Append('=').Append(Format(value));
        }

        lock (gate)
        {
            output.WriteLine(line.ToString());
            output.Flush();
        }
    }

    private static string Format(object value)
    {
        string text = value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value.ToString() ?? "";
        bool needsQuotes = text.Length == 0 || text.Any(c => c is ' ' or '"' or '=' || char.IsControl(c));
        if (!needsQuotes) return text;
        return "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r") + "\"";
    }
}
