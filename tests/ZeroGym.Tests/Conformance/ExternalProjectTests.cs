using System.Xml.Linq;
using ZeroGym.Tests.Wire;

namespace ZeroGym.Tests.Conformance;

/// <summary>
/// The conformance kit as a user outside this repository uses it: a test project of their own, in a temporary folder,
/// with an env deriving <c>Env</c> and a class deriving <c>EnvConformanceTests</c>, referencing the kit by project path.
/// </summary>
public sealed class ExternalProjectTests
{
    private const string Project = "UserEnvs.Tests";

    [Fact]
    public void AUsersProject_PassesWithACorrectEnv_AndNamesTheCheckABrokenEnvFails()
    {
        string directory = Directory.CreateTempSubdirectory("zerogym-conformance-").FullName;
        try
        {
            WriteProject(directory);

            // The exit status is printed rather than thrown: the broken envs make dotnet test fail on purpose.
            string status = ExternalProcess.Run("sh", ["-c", "dotnet test -c Release --logger trx --results-directory results > test.log 2>&1; echo $?"], directory).Trim();

            string log = File.ReadAllText(Path.Combine(directory, "test.log"));
            var trx = Directory.GetFiles(Path.Combine(directory, "results"), "*.trx");
            Assert.True(trx.Length == 1, $"dotnet test of the user's project wrote {trx.Length} result files; its output:\n{log}");
            var results = Outcomes(trx[0]);
            Assert.NotEqual("0", status);

            var walk = results.Where(result => result.Class == "WalkConformanceTests").ToList();
            Assert.True(walk.Count >= 15, $"the correct env ran {walk.Count} checks; the output:\n{log}");
            Assert.All(walk.Where(result => result.Outcome != "Passed"), result =>
                Assert.True(result.Test.EndsWith("Render_RgbArray_GivesAUInt8FrameOfHeightWidthAnd3Channels", StringComparison.Ordinal)
                    || result.Test.EndsWith("Server_RenderBeforeReset_IsResetNeeded_AfterItAFrame", StringComparison.Ordinal),
                    $"the correct env's check {result.Test} did not pass ({result.Outcome}): {result.Message}"));
            var renderSkip = walk.Single(result => result.Test.EndsWith("Render_RgbArray_GivesAUInt8FrameOfHeightWidthAnd3Channels", StringComparison.Ordinal));
            Assert.Equal("NotExecuted", renderSkip.Outcome);
            Assert.Contains("no rgb_array render mode", renderSkip.Message);

            var unseeded = Failed(results, "UnseededWalkConformanceTests");
            Assert.Contains("Reset_WithTheSameSeed_GivesTheSameObservationAndInfo", unseeded.Keys);
            Assert.Contains("reset(seed: 42) twice on one env gave different observations", unseeded["Reset_WithTheSameSeed_GivesTheSameObservationAndInfo"]);
            Assert.DoesNotContain("Reset_ObservationLiesInTheObservationSpace", unseeded.Keys);

            var wrongDType = Failed(results, "DoubleWalkConformanceTests");
            Assert.Contains("Reset_ObservationLiesInTheObservationSpace", wrongDType.Keys);
            Assert.Contains("holds float32 arrays; got dtype float64", wrongDType["Reset_ObservationLiesInTheObservationSpace"]);
            Assert.DoesNotContain("Reset_WithTheSameSeed_GivesTheSameObservationAndInfo", wrongDType.Keys);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed record Result(string Class, string Test, string Outcome, string Message);

    /// <summary>The failed checks of one class, by method name, with their messages.</summary>
    private static Dictionary<string, string> Failed(IEnumerable<Result> results, string testClass) =>
        results.Where(result => result.Class == testClass && result.Outcome == "Failed")
            .ToDictionary(result => result.Test[(result.Test.LastIndexOf('.') + 1)..], result => result.Message);

    /// <summary>Every test of a TRX file: its class, full name, outcome and message (the failure's or the skip's).</summary>
    private static List<Result> Outcomes(string trxFile)
    {
        var trx = XDocument.Load(trxFile);
        XNamespace ns = trx.Root!.Name.Namespace;
        return trx.Descendants(ns + "UnitTestResult").Select(result =>
        {
            string test = (string)result.Attribute("testName")!;
            string[] parts = test.Split('.');
            string message = string.Join("\n", result.Descendants(ns + "Message").Select(element => element.Value)
                .Concat(result.Descendants(ns + "Text").Select(element => element.Value)));
            return new Result(parts[^2], test, (string)result.Attribute("outcome")!, message);
        }).ToList();
    }

    private static void WriteProject(string directory)
    {
        string kit = Path.Combine(RepositoryRoot.Path, "envserver", "ZeroGym.Envs.Testing", "ZeroGym.Envs.Testing.csproj");
        File.WriteAllText(Path.Combine(directory, Project + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <IsPackable>false</IsPackable>
                <IsTestProject>true</IsTestProject>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.NET.Test.Sdk" Version="{PackageVersion("Microsoft.NET.Test.Sdk")}" />
                <PackageReference Include="xunit.runner.visualstudio" Version="{PackageVersion("xunit.runner.visualstudio")}" />
                <ProjectReference Include="{kit}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "WalkEnv.cs"), """
            using ZeroGym;
            using ZeroGym.Arrays;
            using ZeroGym.Envs.Core;
            using ZeroGym.Envs.Registration;
            using ZeroGym.Spaces;

            namespace UserEnvs;

            /// <summary>A walk on a line from a seeded start in [-2, 2]; ends at ±10. The flags make it wrong on purpose.</summary>
            public sealed class WalkEnv(bool ignoreSeed, bool doubleObservations) : Env
            {
                private static readonly Box Positions = new(-10, 10, [1], DType.Float32);
                private static readonly Discrete LeftOrRight = new(2);
                private float position;

                public override Space ObservationSpace => Positions;

                public override Space ActionSpace => LeftOrRight;

                public static EnvSpec CreateSpec(string id, bool ignoreSeed = false, bool doubleObservations = false) => new(
                    id, (kwargs, renderMode) => new WalkEnv(ignoreSeed, doubleObservations), new Dictionary<string, object?>(),
                    MaxEpisodeSteps: 100, RewardThreshold: null, RenderModes: [], RenderFps: 30, Description: "a walk on a line");

                public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
                {
                    base.Reset(seed, options);
                    position = (float)(ignoreSeed ? System.Random.Shared.NextDouble() * 4 - 2 : Random.Uniform(-2, 2));
                    return new ResetResult(Observation(), Info.Empty);
                }

                public override StepResult Step(object action)
                {
                    position += (long)action == 1 ? 1 : -1;
                    return new StepResult(Observation(), -Math.Abs(position), Math.Abs(position) >= 10, false, Info.Empty);
                }

                private NDArray Observation() =>
                    doubleObservations ? NDArray.From(new[] { (double)position }, 1) : NDArray.From(new[] { position }, 1);
            }
            """);
        File.WriteAllText(Path.Combine(directory, "WalkConformanceTests.cs"), """
            using ZeroGym.Envs.Core;
            using ZeroGym.Envs.Registration;
            using ZeroGym.Envs.Testing;

            namespace UserEnvs;

            public sealed class WalkConformanceTests : EnvConformanceTests
            {
                public override EnvSpec Spec { get; } = WalkEnv.CreateSpec("Walk-v0");
            }

            public sealed class UnseededWalkConformanceTests : EnvConformanceTests
            {
                public override EnvSpec Spec { get; } = WalkEnv.CreateSpec("UnseededWalk-v0", ignoreSeed: true);
            }

            public sealed class DoubleWalkConformanceTests : EnvConformanceTests
            {
                public override EnvSpec Spec { get; } = WalkEnv.CreateSpec("DoubleWalk-v0", doubleObservations: true);
            }
            """);
    }

    /// <summary>The version this repository pins for <paramref name="package"/>, so the user's project restores what ours does.</summary>
    private static string PackageVersion(string package) =>
        XDocument.Load(Path.Combine(RepositoryRoot.Path, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(element => (string?)element.Attribute("Include") == package)
            .Attribute("Version")!.Value;
}
