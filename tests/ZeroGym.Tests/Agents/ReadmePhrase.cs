using System.Runtime.CompilerServices;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// A README phrase written as an interpolated string with the code's values where the README has numbers:
/// <c>$"ε {dqn.StartEpsilon}→{dqn.EndEpsilon} over {dqn.ExplorationSteps}"</c>. Each value keeps the expression it
/// came from, so a failure names it. A number (int, long, double) stands for a number in the README, a string for
/// text, and an int[] of layer widths for its items joined by '-' (128-128).
/// </summary>
[InterpolatedStringHandler]
internal readonly ref struct ReadmePhrase
{
    /// <summary>The compiler's constructor for an interpolated string.</summary>
    public ReadmePhrase(int literalLength, int formattedCount) => Segments = new List<Segment>(2 * formattedCount + 1);

    /// <summary>Literal text and values, in order.</summary>
    public List<Segment> Segments { get; }

    /// <summary>The values, in order.</summary>
    public IEnumerable<Segment> Slots => Segments.Where(segment => !segment.IsLiteral);

    /// <summary>Text the README must have as it is.</summary>
    public void AppendLiteral(string literal) => Segments.Add(new Segment(literal, null, null));

    /// <summary>A value the README must have in this place; <paramref name="source"/> is the expression giving it.</summary>
    public void AppendFormatted<T>(T value, [CallerArgumentExpression(nameof(value))] string source = "")
    {
        switch (value)
        {
            case int[] widths:
                for (int i = 0; i < widths.Length; i++)
                {
                    if (i > 0) AppendLiteral("-");
                    Segments.Add(new Segment(null, widths[i], $"{source}[{i}]"));
                }

                break;
            case int or long or double or string:
                Segments.Add(new Segment(null, value, source));
                break;
            default:
                throw new ArgumentException(
                    $"a README phrase takes numbers, strings and int[] layer widths; {source} is {value?.GetType().Name ?? "null"}");
        }
    }

    /// <summary>Literal text (<see cref="Literal"/>), or a value and the expression it came from.</summary>
    public readonly record struct Segment(string? Literal, object? Value, string? Source)
    {
        /// <summary>True for literal text.</summary>
        public bool IsLiteral => Literal is not null;
    }
}
