using System.Globalization;

namespace ZeroGym.Agents.Common;

/// <summary>
/// A CSV file of numbers under a header line. Rows are appended through one open, buffered writer (opening the file
/// for every row cost ~35 µs, a tenth of an A2C iteration) and reach the disk on <see cref="Flush"/>; a run killed
/// between flushes loses at most the rows since the last one (and leaves at worst a partial last line, which reading
/// skips). Reading and rewriting flush first. Safe to flush from another thread (a termination signal's).
/// </summary>
internal sealed class CsvFile(string path) : IDisposable
{
    private readonly Lock gate = new();
    private StreamWriter? appender;

    public string Path { get; } = path;

    /// <summary>The column names, or null when the file does not exist yet.</summary>
    public IReadOnlyList<string>? ReadHeader()
    {
        if (!File.Exists(Path)) return null;
        using var reader = new StreamReader(Path);
        return reader.ReadLine()?.Split(',');
    }

    /// <summary>Creates the file with <paramref name="header"/>; an existing file must already have exactly that header.</summary>
    public void Create(IReadOnlyList<string> header)
    {
        var existing = ReadHeader();
        if (existing is null)
        {
            File.WriteAllText(Path, string.Join(',', header) + "\n");
        }
        else if (!existing.SequenceEqual(header))
        {
            throw new AgentException($"{Path} has the columns {string.Join(',', existing)}; expected {string.Join(',', header)}");
        }
    }

    public void Append(IEnumerable<double> values)
    {
        string row = string.Join(',', values.Select(value => value.ToString(CultureInfo.InvariantCulture)));
        lock (gate)
        {
            appender ??= new StreamWriter(Path, append: true);
            appender.Write(row);
            appender.Write('\n');
        }
    }

    /// <summary>Writes the rows appended so far to the file.</summary>
    public void Flush()
    {
        lock (gate) appender?.Flush();
    }

    /// <summary>Flushes and closes the file; a later <see cref="Append"/> opens it again.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            appender?.Dispose();
            appender = null;
        }
    }

    /// <summary>Every complete row; a line with the wrong number of fields or a non-number (a torn write) is skipped.</summary>
    public List<double[]> ReadRows()
    {
        Flush();
        var rows = new List<double[]>();
        if (!File.Exists(Path)) return rows;
        int columns = -1;
        foreach (string line in File.ReadLines(Path))
        {
            string[] fields = line.Split(',');
            if (columns < 0)
            {
                columns = fields.Length;
                continue;
            }

            var row = new double[columns];
            bool complete = fields.Length == columns;
            for (int i = 0; complete && i < columns; i++)
            {
                complete = double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out row[i]);
            }

            if (complete) rows.Add(row);
        }

        return rows;
    }

    /// <summary>Rewrites the file with only the complete rows <paramref name="keep"/> accepts (temp file + rename).</summary>
    public void KeepRows(Func<double[], bool> keep)
    {
        Dispose();
        var header = ReadHeader();
        if (header is null) return;
        var lines = new List<string> { string.Join(',', header) };
        lines.AddRange(ReadRows().Where(keep).Select(row => string.Join(',', row.Select(value => value.ToString(CultureInfo.InvariantCulture)))));
        File.WriteAllLines(Path + ".tmp", lines);
        File.Move(Path + ".tmp", Path, overwrite: true);
    }
}
