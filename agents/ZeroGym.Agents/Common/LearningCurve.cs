using System.Globalization;
using System.Xml.Linq;

namespace ZeroGym.Agents.Common;

/// <summary>A value logged at a global step (an episodic return, a loss).</summary>
public sealed record CurvePoint(long Step, double Value);

/// <summary>A greedy evaluation: the mean and standard deviation of its episodic returns.</summary>
public sealed record EvaluationPoint(long Step, double Mean, double Std);

/// <summary>
/// Draws a run's learning curve as a self-contained SVG: above, every episodic return as a dot with their moving
/// average (last <see cref="MovingAverageWindow"/> episodes) and the greedy evaluations as a line inside a ±1 std
/// band; below, the first loss column. Both panels share the global-step axis.
/// </summary>
public static class LearningCurve
{
    public const int MovingAverageWindow = 20;

    // Beyond these, points are thinned evenly: the eye cannot tell more apart and the file stays small.
    private const int MaxDots = 5000;
    private const int MaxLinePoints = 2000;

    private const double Width = 960, Height = 660, Left = 80, PlotWidth = 850;
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly (double Top, double Height) ReturnsPanel = (70, 350);
    private static readonly (double Top, double Height) LossPanel = (490, 120);

    private const string ReturnColor = "#1f77b4";
    private const string EvaluationColor = "#d62728";
    private const string LossColor = "#2ca02c";

    /// <summary>Writes the curve to <paramref name="path"/>, replacing the file whole so a viewer never sees half of it.</summary>
    /// <param name="lossName">The loss column's name (the lower panel's label); null when no loss was logged.</param>
    public static void Write(
        string path, string title, IReadOnlyList<CurvePoint> returns, IReadOnlyList<EvaluationPoint> evaluations,
        string? lossName, IReadOnlyList<CurvePoint> losses)
    {
        long lastStep = new[] { returns.LastOrDefault()?.Step, evaluations.LastOrDefault()?.Step, losses.LastOrDefault()?.Step }.Max() ?? 0;
        // The step axis ends at the last step logged, so the curve fills the width as training goes.
        var steps = Scale.Nice(0, Math.Max(lastStep, 1)) with { Max = Math.Max(lastStep, 1) };
        var returnValues = returns.Select(point => point.Value)
            .Concat(evaluations.SelectMany(point => new[] { point.Mean - point.Std, point.Mean + point.Std }));
        var returnScale = Scale.Nice(returnValues);
        var lossScale = Scale.Nice(losses.Select(point => point.Value));

        var svg = new XElement(Svg + "svg",
            new XAttribute("width", Width), new XAttribute("height", Height), new XAttribute("viewBox", $"0 0 {Width} {Height}"),
            new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", 12),
            new XElement(Svg + "rect", new XAttribute("width", Width), new XAttribute("height", Height), new XAttribute("fill", "white")),
            Text(Width / 2, 30, title, "middle", new XAttribute("font-size", 16), new XAttribute("font-weight", "bold")),
            Axes(ReturnsPanel, steps, returnScale, "episodic return", xLabel: null),
            ReturnsContent(returns, evaluations, steps, returnScale),
            Axes(LossPanel, steps, lossScale, lossName ?? "loss", xLabel: "global step"),
            LossContent(losses, steps, lossScale));

        new XDocument(svg).Save(path + ".tmp");
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static IEnumerable<XElement> ReturnsContent(
        IReadOnlyList<CurvePoint> returns, IReadOnlyList<EvaluationPoint> evaluations, Scale steps, Scale values)
    {
        var panel = ReturnsPanel;
        if (returns.Count == 0 && evaluations.Count == 0)
        {
            yield return Text(Left + PlotWidth / 2, panel.Top + panel.Height / 2, "no finished episode yet", "middle", new XAttribute("fill", "#888"));
            yield break;
        }

        if (evaluations.Count > 0)
        {
            var upper = evaluations.Select(point => Point(panel, steps, values, point.Step, point.Mean + point.Std));
            var lower = evaluations.Reverse().Select(point => Point(panel, steps, values, point.Step, point.Mean - point.Std));
            yield return new XElement(Svg + "polygon", new XAttribute("id", "evaluation-band"),
                new XAttribute("points", string.Join(' ', upper.Concat(lower))), new XAttribute("fill", EvaluationColor), new XAttribute("fill-opacity", 0.15));
        }

        yield return new XElement(Svg + "g", new XAttribute("id", "episodic-returns"), new XAttribute("fill", ReturnColor), new XAttribute("fill-opacity", 0.35),
            Thin(returns, MaxDots).Select(point => new XElement(Svg + "circle",
                new XAttribute("cx", Format(steps.Map(point.Step, Left, Left + PlotWidth))),
                new XAttribute("cy", Format(values.Map(point.Value, panel.Top + panel.Height, panel.Top))),
                new XAttribute("r", 2))));

        if (returns.Count > 0)
        {
            var average = Thin(MovingAverage(returns), MaxLinePoints);
            yield return Line("moving-average", ReturnColor, average.Select(point => Point(panel, steps, values, point.Step, point.Value)));
        }

        if (evaluations.Count > 0)
        {
            yield return Line("evaluation-mean", EvaluationColor, evaluations.Select(point => Point(panel, steps, values, point.Step, point.Mean)));
            yield return new XElement(Svg + "g", new XAttribute("id", "evaluations"), new XAttribute("fill", EvaluationColor),
                evaluations.Select(point => new XElement(Svg + "circle",
                    new XAttribute("cx", Format(steps.Map(point.Step, Left, Left + PlotWidth))),
                    new XAttribute("cy", Format(values.Map(point.Mean, panel.Top + panel.Height, panel.Top))),
                    new XAttribute("r", 3.5))));
        }

        var legend = new List<(string Color, double Opacity, string Label)>();
        if (returns.Count > 0)
        {
            legend.Add((ReturnColor, 0.35, "episodic return"));
            legend.Add((ReturnColor, 1, $"moving average ({MovingAverageWindow} episodes)"));
        }

        if (evaluations.Count > 0) legend.Add((EvaluationColor, 1, "greedy evaluation (mean ± std)"));
        yield return Legend(panel, legend);
    }

    private static IEnumerable<XElement> LossContent(IReadOnlyList<CurvePoint> losses, Scale steps, Scale values)
    {
        var panel = LossPanel;
        var finite = losses.Where(point => double.IsFinite(point.Value)).ToList();
        if (finite.Count == 0)
        {
            yield return Text(Left + PlotWidth / 2, panel.Top + panel.Height / 2, "no loss logged yet", "middle", new XAttribute("fill", "#888"));
            yield break;
        }

        yield return Line("loss", LossColor, Thin(finite, MaxLinePoints).Select(point => Point(panel, steps, values, point.Step, point.Value)));
    }

    /// <summary>Frame, grid, tick labels and axis labels of one panel.</summary>
    private static XElement Axes((double Top, double Height) panel, Scale x, Scale y, string yLabel, string? xLabel)
    {
        double bottom = panel.Top + panel.Height;
        var axes = new XElement(Svg + "g",
            new XElement(Svg + "rect", new XAttribute("x", Left), new XAttribute("y", panel.Top), new XAttribute("width", PlotWidth),
                new XAttribute("height", panel.Height), new XAttribute("fill", "none"), new XAttribute("stroke", "#999")));
        foreach (double tick in x.Ticks)
        {
            double px = x.Map(tick, Left, Left + PlotWidth);
            axes.Add(GridLine(px, panel.Top, px, bottom));
            axes.Add(Text(px, bottom + 16, FormatStep(tick), "middle", new XAttribute("fill", "#444")));
        }

        foreach (double tick in y.Ticks)
        {
            double py = y.Map(tick, bottom, panel.Top);
            axes.Add(GridLine(Left, py, Left + PlotWidth, py));
            axes.Add(Text(Left - 6, py + 4, FormatValue(tick, y.Step), "end", new XAttribute("fill", "#444")));
        }

        double middle = panel.Top + panel.Height / 2;
        axes.Add(Text(18, middle, yLabel, "middle", new XAttribute("transform", $"rotate(-90 18 {Format(middle)})")));
        if (xLabel is not null) axes.Add(Text(Left + PlotWidth / 2, bottom + 36, xLabel, "middle"));
        return axes;
    }

    /// <summary>One row of colour keys above the panel, where it can never hide data.</summary>
    private static XElement Legend((double Top, double Height) panel, List<(string Color, double Opacity, string Label)> entries)
    {
        const double entryWidth = 260;
        var legend = new XElement(Svg + "g", new XAttribute("id", "legend"));
        double y = panel.Top - 12;
        for (int i = 0; i < entries.Count; i++)
        {
            double x = Left + entryWidth * i;
            legend.Add(new XElement(Svg + "rect", new XAttribute("x", x), new XAttribute("y", y - 9), new XAttribute("width", 14),
                new XAttribute("height", 10), new XAttribute("fill", entries[i].Color), new XAttribute("fill-opacity", entries[i].Opacity)));
            legend.Add(Text(x + 20, y, entries[i].Label, "start"));
        }

        return legend;
    }

    private static List<CurvePoint> MovingAverage(IReadOnlyList<CurvePoint> returns)
    {
        var average = new List<CurvePoint>(returns.Count);
        double sum = 0;
        for (int i = 0; i < returns.Count; i++)
        {
            sum += returns[i].Value;
            if (i >= MovingAverageWindow) sum -= returns[i - MovingAverageWindow].Value;
            average.Add(new CurvePoint(returns[i].Step, sum / Math.Min(i + 1, MovingAverageWindow)));
        }

        return average;
    }

    /// <summary>At most about <paramref name="max"/> evenly spaced points, always keeping the last.</summary>
    private static IEnumerable<T> Thin<T>(IReadOnlyList<T> points, int max)
    {
        int stride = (points.Count + max - 1) / max;
        return stride <= 1 ? points : points.Where((_, i) => i % stride == 0 || i == points.Count - 1);
    }

    private static string Point((double Top, double Height) panel, Scale x, Scale y, double step, double value) =>
        $"{Format(x.Map(step, Left, Left + PlotWidth))},{Format(y.Map(value, panel.Top + panel.Height, panel.Top))}";

    private static XElement Line(string id, string color, IEnumerable<string> points) =>
        new(Svg + "polyline", new XAttribute("id", id), new XAttribute("points", string.Join(' ', points)),
            new XAttribute("fill", "none"), new XAttribute("stroke", color), new XAttribute("stroke-width", 2));

    private static XElement GridLine(double x1, double y1, double x2, double y2) =>
        new(Svg + "line", new XAttribute("x1", Format(x1)), new XAttribute("y1", Format(y1)), new XAttribute("x2", Format(x2)),
            new XAttribute("y2", Format(y2)), new XAttribute("stroke", "#e6e6e6"));

    private static XElement Text(double x, double y, string text, string anchor, params XAttribute[] attributes) =>
        new(Svg + "text", new XAttribute("x", Format(x)), new XAttribute("y", Format(y)), new XAttribute("text-anchor", anchor), attributes, text);

    private static string Format(double pixels) => pixels.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>A step tick as people read it: 500, 20k, 1.5M.</summary>
    private static string FormatStep(double step) => step switch
    {
        >= 1e6 => (step / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (step / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k",
        _ => step.ToString("0", CultureInfo.InvariantCulture),
    };

    /// <summary>A value tick with as many decimals as the tick spacing needs.</summary>
    private static string FormatValue(double value, double tickStep)
    {
        int decimals = tickStep >= 1 ? 0 : (int)Math.Ceiling(-Math.Log10(tickStep));
        return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>A linear axis over [Min, Max] with round tick values every <see cref="Step"/>.</summary>
    private sealed record Scale(double Min, double Max, double Step)
    {
        /// <summary>The multiples of <see cref="Step"/> within [Min, Max].</summary>
        public IEnumerable<double> Ticks =>
            Enumerable.Range(0, (int)Math.Floor((Max - Min) / Step + 1e-9) + 1).Select(i => Min + i * Step);

        public double Map(double value, double pixelAtMin, double pixelAtMax) =>
            pixelAtMin + (value - Min) / (Max - Min) * (pixelAtMax - pixelAtMin);

        public static Scale Nice(IEnumerable<double> values)
        {
            var finite = values.Where(double.IsFinite).ToList();
            return finite.Count == 0 ? Nice(0, 1) : Nice(finite.Min(), finite.Max());
        }

        /// <summary>Bounds widened to multiples of a 1-2-5 step giving about six ticks.</summary>
        public static Scale Nice(double min, double max)
        {
            if (!(max > min))
            {
                double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
                (min, max) = (min - pad, max + pad);
            }

            double raw = (max - min) / 6;
            double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            double fraction = raw / magnitude;
            double step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
            return new Scale(Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
        }
    }
}
