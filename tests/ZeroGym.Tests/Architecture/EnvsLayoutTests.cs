using System.Reflection;
using System.Text.RegularExpressions;
using ZeroGym.Tests.Wire;

namespace ZeroGym.Tests.Architecture;

/// <summary>
/// Inside ZeroGym.Envs and the server, what may name what (README, "What is here"): the env contract names no family,
/// wrapper or registration; the registration and the wrappers name no family; the generic server knows nothing of the
/// NES; the native-library loader is one source file. Read from the sources, since these are folders of one assembly.
/// </summary>
public sealed partial class EnvsLayoutTests
{
    private static readonly string[] Families = ["CartPole", "Pendulum", "MuJoCo", "Nes"];

    [Theory]
    // The contract may use the libm binding (NumpyRandom draws as numpy does) and nothing else of the assembly.
    [InlineData("Core", new[] { "Core", "Interop" })]
    [InlineData("Registration", new[] { "Core", "Registration", "Wrappers" })]
    [InlineData("Wrappers", new[] { "Core", "Wrappers" })]
    [InlineData("Vector", new[] { "Core", "Vector" })]
    public void EnvsFolder_NamesOnlyTheFoldersBelowIt(string folder, string[] allowed)
    {
        foreach (var (file, code) in Sources(Path.Combine("envserver", "ZeroGym.Envs", folder)))
        {
            var named = QualifiedFolder().Matches(code).Select(match => match.Groups[1].Value)
                .Concat(Families.Where(family => Regex.IsMatch(code, $@"(?<![\w.]){family}\.\w")))
                .Distinct()
                .Except(allowed)
                .ToList();
            Assert.True(named.Count == 0, $"{file} names {string.Join(", ", named)}; {folder}/ may name only [{string.Join(", ", allowed)}]");
        }
    }

    [Fact]
    public void GenericServer_KnowsNothingOfTheNes()
    {
        var composition = new[] { "Program.cs", "BuiltInEnvs.cs" };
        foreach (var (file, code) in Sources(Path.Combine("envserver", "ZeroGym.EnvServer")))
        {
            if (composition.Contains(Path.GetFileName(file))) continue;
            var found = NesTerms().Matches(code).Select(match => match.Value).Distinct().ToList();
            Assert.True(found.Count == 0, $"{file} names {string.Join(", ", found)}; only the composition root ({string.Join(", ", composition)}) may");
        }
    }

    [Fact]
    public void NativeLibraryLoader_IsOneSourceFile_CompiledIntoEachAssemblyWithAShim()
    {
        string[] productFolders = ["common", "protocol", "clients", "envserver", "agents"];
        var resolvers = productFolders
            .SelectMany(folder => Sources(folder))
            .Where(source => source.Code.Contains("SetDllImportResolver", StringComparison.Ordinal))
            .Select(source => Path.GetRelativePath(RepositoryRoot.Path, source.File))
            .ToList();
        Assert.Equal([Path.Combine("common", "Interop", "NativeShimLoader.cs")], resolvers);

        foreach (string assembly in new[] { "ZeroGym.Envs", "ZeroGym.Torch" })
        {
            var loader = Assembly.Load(new AssemblyName(assembly)).GetType("ZeroGym.Interop.NativeShimLoader");
            Assert.True(loader is not null, $"{assembly} does not compile common/Interop/NativeShimLoader.cs");
        }
    }

    [Fact]
    public void NativeLibraryLoader_LeavesOtherLibrariesAlone_AndNamesTheSetupStepOfAMissingShim()
    {
        var envs = Assembly.Load(new AssemblyName("ZeroGym.Envs"));
        var resolve = envs.GetType("ZeroGym.Interop.NativeShimLoader", throwOnError: true)!.GetMethod("Resolve")!;

        Assert.Equal(IntPtr.Zero, resolve.Invoke(null, ["libm.so.6", envs, null, "libzerogym_missing", "tests/build-missing.sh"]));

        var error = Assert.Throws<TargetInvocationException>(() =>
            resolve.Invoke(null, ["libzerogym_missing", envs, null, "libzerogym_missing", "tests/build-missing.sh"]));
        var missing = Assert.IsType<DllNotFoundException>(error.InnerException);
        Assert.StartsWith(
            "libzerogym_missing.so could not be loaded. It is built by scripts/setup (tests/build-missing.sh) and copied next to the ZeroGym.Envs assembly",
            missing.Message);
    }

    /// <summary>Every C# file under <paramref name="folder"/> (relative to the repository) with its comments removed.</summary>
    private static IEnumerable<(string File, string Code)> Sources(string folder) =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, folder), "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                           && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(file => (file, LineComment().Replace(File.ReadAllText(file), "")));

    [GeneratedRegex(@"ZeroGym\.Envs\.(\w+)")]
    private static partial Regex QualifiedFolder();

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\bNes(?:[A-Z]\w*)?\b|\bNES\b|[Rr]omDirectory|--rom-dir|ZEROGYM_ROM_DIR")]
    private static partial Regex NesTerms();
}
