using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// A passage of README.md that states defaults (a table cell, or one sentence), checked phrase by phrase against the
/// code. <c>passage.Says($"replay {dqn.BufferSize}")</c> finds "replay N" in the passage and compares N with
/// <c>dqn.BufferSize</c>; numbers are read as the README writes them (50k, 1M, 1e-3, 100,000). Every number of the
/// passage must belong to a phrase some check claims, so a number no check covers is reported too. Problems are
/// collected, so one run lists every drift of a passage, each with its README line, what the README says and what
/// the code has.
/// </summary>
internal sealed partial class ReadmePassage
{
    private readonly string name;
    private readonly string text;
    private readonly int[] lineOf;
    private readonly bool[] claimed;
    private readonly List<string> problems = [];

    private ReadmePassage(string name, string text, int[] lineOf)
    {
        this.name = name;
        this.text = text;
        this.lineOf = lineOf;
        claimed = new bool[text.Length];
    }

    /// <summary>The cell in <paramref name="column"/> of the table row whose first cell is <paramref name="row"/>.</summary>
    public static ReadmePassage TableCell(string readme, string row, string column)
    {
        string[] lines = Lines(readme);
        int[] rows = [.. Enumerable.Range(0, lines.Length).Where(i => IsTableLine(lines[i]) && Cells(lines[i])[0] == row)];
        if (rows.Length != 1)
        {
            throw new InvalidOperationException($"expected one README.md table row starting with '{row}'; found {rows.Length}");
        }

        int header = rows[0];
        while (header > 0 && IsTableLine(lines[header - 1])) header--;
        int index = Array.IndexOf(Cells(lines[header]), column);
        string[] cells = Cells(lines[rows[0]]);
        if (index < 0 || index >= cells.Length)
        {
            throw new InvalidOperationException(
                $"expected a column '{column}' in the README.md table above line {rows[0] + 1}; its header is: {lines[header]}");
        }

        string cell = cells[index];
        return new ReadmePassage($"the {row} row, column '{column}'", cell, [.. Enumerable.Repeat(rows[0] + 1, cell.Length)]);
    }

    /// <summary>The sentence of README.md's prose that starts with <paramref name="startingWith"/> (which may span
    /// lines), up to its full stop or the end of its paragraph.</summary>
    public static ReadmePassage Sentence(string readme, string startingWith)
    {
        var (prose, lineOf) = Prose(readme);
        int start = prose.IndexOf(startingWith, StringComparison.Ordinal);
        if (start < 0 || prose.IndexOf(startingWith, start + 1, StringComparison.Ordinal) >= 0)
        {
            throw new InvalidOperationException(
                $"expected README.md to have one sentence starting with '{startingWith}'; found {(start < 0 ? "none" : "several")}");
        }

        var end = SentenceEnd().Match(prose, start + startingWith.Length);
        int length = (end.Success ? end.Index : prose.Length) - start;
        return new ReadmePassage($"the sentence '{startingWith} …'", prose.Substring(start, length), lineOf[start..(start + length)]);
    }

    /// <summary>
    /// Checks that the passage holds <paramref name="phrase"/> once, with the README's number (or text) equal to the
    /// code's value in each place the phrase has one.
    /// </summary>
    public void Says(ReadmePhrase phrase)
    {
        var pattern = new StringBuilder();
        foreach (var segment in phrase.Segments)
        {
            pattern.Append(segment.IsLiteral ? Regex.Escape(segment.Literal!)
                : segment.Value is string ? "(.+?)"
                : NumberPattern);
        }

        var matches = new Regex(pattern.ToString()).Matches(text);
        string expected = string.Concat(phrase.Segments.Select(segment => segment.IsLiteral ? segment.Literal : Show(segment.Value!)));
        if (matches.Count != 1)
        {
            problems.Add($"{Where(0)}: expected the phrase '{expected}' (with the code's values: {string.Join(", ", phrase.Slots.Select(slot =>
                $"{slot.Source} = {Show(slot.Value!)}"))}) once; found it {matches.Count} times in \"{text}\"");
            return;
        }

        var match = matches[0];
        Claim(match.Index, match.Length);
        var slots = phrase.Slots.ToArray();
        for (int i = 0; i < slots.Length; i++)
        {
            string written = match.Groups[i + 1].Value;
            if (!Agrees(written, slots[i].Value!))
            {
                problems.Add($"{Where(match.Index)}: '{match.Value}' says {written}; the code has {slots[i].Source} = {Show(slots[i].Value!)}");
            }
        }
    }

    /// <summary>
    /// Checks that the passage holds <paramref name="words"/> once, a claim the caller checks itself (such as "as DDPG"):
    /// <paramref name="differences"/> are what the code has against it, empty when the words are true.
    /// </summary>
    public void Says(string words, IEnumerable<string> differences)
    {
        int at = text.IndexOf(words, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(words, at + 1, StringComparison.Ordinal) >= 0)
        {
            problems.Add($"{Where(0)}: expected '{words}' once in \"{text}\"");
            return;
        }

        Claim(at, words.Length);
        foreach (string difference in differences) problems.Add($"{Where(at)}: '{words}', but {difference}");
    }

    /// <summary>Every problem found so far, and each word with a number that no phrase claimed.</summary>
    public IReadOnlyList<string> Problems()
    {
        var all = new List<string>(problems);
        foreach (Match word in Word().Matches(text))
        {
            if (NumberStart().Matches(word.Value).Any(number => !claimed[word.Index + number.Index]))
            {
                all.Add($"{Where(word.Index)}: '{word.Value}' is a number no check ties to the code; " +
                    "check it in DocumentedDefaultsTests or leave it out of the passage");
            }
        }

        return all;
    }

    /// <summary>Fails with every problem of the passage, one a line.</summary>
    public void AssertMatchesCode()
    {
        var all = Problems();
        if (all.Count > 0) Assert.Fail($"README.md and the code disagree in {name}:\n" + string.Join("\n", all));
    }

    /// <summary>A number as the README writes it: digits with optional thousands commas, decimals, exponent, k or M.</summary>
    private const string NumberPattern = @"(?<![\d.])(\d+(?:,\d{3})*(?:\.\d+)?(?:e-?\d+)?[kM]?)(?!\d)";

    private static bool Agrees(string written, object value)
    {
        if (value is string text) return written == text;
        double multiplier = written.EndsWith('k') ? 1e3 : written.EndsWith('M') ? 1e6 : 1;
        double number = double.Parse(written.TrimEnd('k', 'M').Replace(",", ""), CultureInfo.InvariantCulture) * multiplier;
        double expected = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        return Math.Abs(number - expected) <= 1e-12 * Math.Max(1, Math.Abs(expected));
    }

    private static string Show(object value) => value switch
    {
        string text => $"'{text}'",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private void Claim(int start, int length) => Array.Fill(claimed, true, start, length);

    private string Where(int index) => $"README.md:{lineOf[index]} ({name})";

    private static string[] Lines(string readme) => readme.Replace("\r", "").Split('\n');

    private static bool IsTableLine(string line) => line.TrimStart().StartsWith('|');

    private static string[] Cells(string line) => [.. line.Trim().Trim('|').Split('|').Select(cell => cell.Trim())];

    /// <summary>The README with each paragraph on one line (runs of whitespace as one space, paragraphs apart by
    /// '\n'), and the README line each character came from.</summary>
    private static (string Prose, int[] LineOf) Prose(string readme)
    {
        var prose = new StringBuilder();
        var lineOf = new List<int>();
        string[] lines = Lines(readme);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            bool midParagraph = prose.Length > 0 && prose[^1] != '\n';
            if (line.Length == 0)
            {
                if (midParagraph) Append('\n');
                continue;
            }

            if (midParagraph) Append(' ');
            foreach (char c in line)
            {
                if (char.IsWhiteSpace(c) && prose[^1] == ' ') continue;
                Append(char.IsWhiteSpace(c) ? ' ' : c);
            }

            void Append(char c)
            {
                prose.Append(c);
                lineOf.Add(i + 1);
            }
        }

        return (prose.ToString(), [.. lineOf]);
    }

    /// <summary>A full stop before a space or a paragraph's end, or the paragraph's end.</summary>
    [GeneratedRegex(@"\.(?= |\n|$)|\n")]
    private static partial Regex SentenceEnd();

    /// <summary>The first digit of a number; a digit after a letter belongs to a name (smooth L1, CartPole-v1).</summary>
    [GeneratedRegex(@"(?<![A-Za-z\d.])\d")]
    private static partial Regex NumberStart();

    [GeneratedRegex(@"\S+")]
    private static partial Regex Word();
}
