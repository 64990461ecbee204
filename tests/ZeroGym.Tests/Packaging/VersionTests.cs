using System.Reflection;
using System.Text.RegularExpressions;
using ZeroGym.EnvServer;
using ZeroGym.Tests.Wire;

namespace ZeroGym.Tests.Packaging;

/// <summary>
/// One version for every part (README, "Packages"): edited in clients/python/zerogym/version.py, which
/// Directory.Build.props reads, so every assembly and package carries it. tests/python/test_version.py checks the
/// running server's --version and hello against the Python client.
/// </summary>
public sealed partial class VersionTests
{
    [Theory]
    [InlineData(typeof(RemoteEnv))] // the client (package ZeroGym.Client)
    [InlineData(typeof(Spaces.Space))] // ZeroGym.Core
    [InlineData(typeof(ZeroGym.Protocol.Wire.ProtocolConstants))] // ZeroGym.Protocol
    [InlineData(typeof(ZeroGym.Transport.Interop.ZeroMQ.ZmqContext))] // ZeroGym.Transport
    [InlineData(typeof(ZeroGym.Envs.Core.Env))] // ZeroGym.Envs
    [InlineData(typeof(BuiltInEnvs))] // the server
    public void Assembly_CarriesThePythonClientsVersion(Type typeInAssembly)
    {
        string expected = VersionPy().Match(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "clients", "python", "zerogym", "version.py"))).Groups[1].Value;
        var assembly = typeInAssembly.Assembly;
        string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        Assert.True(informational == expected, $"{assembly.GetName().Name} carries version {informational}; version.py says {expected}");
        Assert.StartsWith(assembly.GetName().Version!.ToString(3), expected, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"__version__ = ""([^""]+)""")]
    private static partial Regex VersionPy();
}
