using System.Globalization;

namespace ZeroGym.Agents.Common;

/// <summary>
/// A CSV file of numbers under a header line. Rows are appended one at a time and reach the disk at once, so a run
/// killed at any moment keeps every row it logged (at worst a partial last line, which reading skips).
/// </summary>
internal sealed class CsvFile(string path)
{
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

    public void Append(IEnumerable<double> values) =>
        File.AppendAllText(Path, string.Join(',', values.Select(value => value.ToString(CultureInfo.InvariantCulture))) + "\n");

    /// <summary>Every complete row; a line with the wrong number of fields or a non-number (a torn write) is skipped.</summary>
    public List<double[]> ReadRows()
    {
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
        var header = ReadHeader();
        if (header is null) return;
        var lines = new List<string> { string.Join(',', header) };
        lines.AddRange(ReadRows().Where(keep).Select(row => string.Join(',', row.Select(value => value.ToString(CultureInfo.InvariantCulture)))));
        File.WriteAllLines(Path + ".tmp", lines);
        File.Move(Path + ".tmp", Path, overwrite: true);
    }
}
