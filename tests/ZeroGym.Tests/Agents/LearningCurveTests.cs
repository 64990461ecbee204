using System.Globalization;
using System.Xml.Linq;
using ZeroGym.Agents.Common;

namespace ZeroGym.Tests.Agents;

public sealed class LearningCurveTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static XElement ById(XDocument document, string id) =>
        document.Descendants().Single(element => (string?)element.Attribute("id") == id);

    private static int PointCount(XElement polyline) =>
        ((string)polyline.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    [Fact]
    public void Write_GivesAWellFormedSvg_WithADotPerEpisode_AndTheEvaluationAndLossLines()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.Combine("learning_curve.svg");
        var returns = Enumerable.Range(1, 60).Select(i => new CurvePoint(i * 25, 10 + (i * 37 % 50))).ToList();
        var evaluations = new[] { new EvaluationPoint(500, 20, 5), new EvaluationPoint(1000, 60, 10), new EvaluationPoint(1500, 55, 0) };
        var losses = Enumerable.Range(1, 30).Select(i => new CurvePoint(i * 50, 1.0 / i)).ToList();

        LearningCurve.Write(path, "dqn on CartPole-v1 <seed 1 & more>", returns, evaluations, "td_loss", losses);

        var document = XDocument.Load(path);
        Assert.Equal(Svg + "svg", document.Root!.Name);
        var dots = ById(document, "episodic-returns").Elements(Svg + "circle").ToList();
        Assert.Equal(returns.Count, dots.Count);
        Assert.Equal(3, PointCount(ById(document, "evaluation-mean")));
        Assert.Equal(3, ById(document, "evaluations").Elements(Svg + "circle").Count());
        Assert.Equal(6, PointCount(ById(document, "evaluation-band")));
        Assert.Equal(returns.Count, PointCount(ById(document, "moving-average")));
        Assert.Equal(losses.Count, PointCount(ById(document, "loss")));
        Assert.Contains(document.Descendants(Svg + "text"), text => text.Value == "dqn on CartPole-v1 <seed 1 & more>");
        Assert.Contains(document.Descendants(Svg + "text"), text => text.Value == "td_loss");
        Assert.Contains(document.Descendants(Svg + "text"), text => text.Value == "global step");
    }

    [Fact]
    public void Write_PlacesLaterStepsRightAndHigherReturnsUp()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.Combine("curve.svg");
        var returns = new[] { new CurvePoint(100, 10), new CurvePoint(200, 500), new CurvePoint(300, 250) };

        LearningCurve.Write(path, "t", returns, [], null, []);

        var dots = ById(XDocument.Load(path), "episodic-returns").Elements(Svg + "circle")
            .Select(dot => (X: Coordinate(dot, "cx"), Y: Coordinate(dot, "cy"))).ToList();
        Assert.True(dots[0].X < dots[1].X && dots[1].X < dots[2].X, "x grows with the global step");
        Assert.True(dots[1].Y < dots[2].Y && dots[2].Y < dots[0].Y, "y grows upwards with the return (SVG's y points down)");
        Assert.DoesNotContain("greedy evaluation", ById(XDocument.Load(path), "legend").Value); // no evaluation, no key for one
    }

    [Fact]
    public void Write_WithNothingLoggedYet_StillGivesAWellFormedSvgThatSaysSo()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.Combine("curve.svg");

        LearningCurve.Write(path, "empty", [], [], null, []);

        var texts = XDocument.Load(path).Descendants(Svg + "text").Select(text => text.Value).ToList();
        Assert.Contains("no finished episode yet", texts);
        Assert.Contains("no loss logged yet", texts);
    }

    private static double Coordinate(XElement element, string name) =>
        double.Parse((string)element.Attribute(name)!, CultureInfo.InvariantCulture);
}
