using System.Reflection;

namespace ZeroGym.Tests.Architecture;

/// <summary>
/// The assemblies and what each may use (README, "What is here"). A reference not listed here fails the build of
/// the layering: domain types stay free of wire and native code, envs know nothing of the wire or the transport,
/// the protocol knows nothing of sockets.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Dictionary<string, string[]> AllowedReferences = new()
    {
        ["ZeroGym.Core"] = [],
        ["ZeroGym.Transport"] = ["libzmq.so.5"],
        ["ZeroGym.Protocol"] = ["ZeroGym.Core"],
        ["ZeroGym"] = ["ZeroGym.Core", "ZeroGym.Protocol", "ZeroGym.Transport"],
        ["ZeroGym.Envs"] = ["ZeroGym.Core"],
        // The cluster (Orleans) knows nothing of envs, wire or sockets: it carries node reports and plans placements.
        ["ZeroGym.Cluster"] = [],
        // The server drives the envs it runs in worker processes through the client library.
        ["ZeroGym.EnvServer"] = ["ZeroGym.Core", "ZeroGym.Protocol", "ZeroGym.Transport", "ZeroGym.Envs", "ZeroGym", "ZeroGym.Cluster"],
        // The env conformance kit checks envs in process and through a real server driven by the client.
        ["ZeroGym.Envs.Testing"] = ["ZeroGym.Core", "ZeroGym.Envs", "ZeroGym.EnvServer", "ZeroGym"],
        ["ZeroGym.Torch"] = [],
        ["ZeroGym.Agents"] = ["ZeroGym.Core", "ZeroGym.Protocol", "ZeroGym.Transport", "ZeroGym", "ZeroGym.Torch"],
    };

    /// <summary>Assemblies that may call native code, and the libraries they may call.</summary>
    private static readonly Dictionary<string, string[]> AllowedNativeLibraries = new()
    {
        ["ZeroGym.Transport"] = ["libzmq.so.5"],
        ["ZeroGym.Envs"] = ["libzerogym_mujoco", "libm.so.6"],
        ["ZeroGym.Torch"] = ["libzerogym_torch"],
    };

    public static TheoryData<string> ProductAssemblies => new(AllowedReferences.Keys);

    [Theory]
    [MemberData(nameof(ProductAssemblies))]
    public void Assembly_ReferencesOnlyTheLayersBelowIt(string name)
    {
        var references = Load(name).GetReferencedAssemblies()
            .Select(reference => reference.Name!)
            .Where(reference => reference == "ZeroGym" || reference.StartsWith("ZeroGym.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

        var forbidden = references.Except(AllowedReferences[name]).ToList();
        Assert.True(forbidden.Count == 0, $"{name} references {string.Join(", ", forbidden)}; it may reference only [{string.Join(", ", AllowedReferences[name])}]");
    }

    [Theory]
    [MemberData(nameof(ProductAssemblies))]
    public void Assembly_CallsOnlyItsOwnNativeLibraries(string name)
    {
        var allowed = AllowedNativeLibraries.GetValueOrDefault(name, []);
        var imports = Load(name).GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => method.GetCustomAttribute<System.Runtime.InteropServices.DllImportAttribute>()?.Value)
            .OfType<string>()
            .Distinct()
            .ToList();

        var forbidden = imports.Where(library => !allowed.Contains(library)).ToList();
        Assert.True(forbidden.Count == 0, $"{name} calls into {string.Join(", ", forbidden)}; native calls belong in [{string.Join(", ", allowed)}]");
    }

    [Fact]
    public void EveryZeroGymAssembly_HasAPlaceInTheLayering()
    {
        var built = Directory.GetFiles(AppContext.BaseDirectory, "ZeroGym*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => name is not "ZeroGym.Tests" and not "ZeroGym.Bench")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Empty(built.Except(AllowedReferences.Keys));
        Assert.Empty(AllowedReferences.Keys.Except(built));
    }

    [Fact]
    public void TheServer_ReachesOrleansOnlyThroughTheClusterAssembly()
    {
        // A single server must not load Orleans: only ZeroGym.Cluster names its types, and it is loaded for --cluster alone.
        var orleans = Load("ZeroGym.EnvServer").GetReferencedAssemblies().Select(reference => reference.Name!)
            .Where(reference => reference.StartsWith("Orleans", StringComparison.Ordinal) || reference.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal))
            .ToList();

        Assert.True(orleans.Count == 0, $"ZeroGym.EnvServer references {string.Join(", ", orleans)}; Orleans belongs in ZeroGym.Cluster");
    }

    [Fact]
    public void DomainTypes_LiveInTheCoreAssembly()
    {
        foreach (var type in new[] { typeof(Spaces.Space), typeof(Arrays.NDArray), typeof(StepResult), typeof(ErrorCodes) })
        {
            Assert.Equal("ZeroGym.Core", type.Assembly.GetName().Name);
        }
    }

    private static Assembly Load(string name) => Assembly.Load(new AssemblyName(name));
}
