using System.Buffers;
using System.Reflection;
using System.Runtime.Loader;
using MessagePack;
using ZeroGym.Envs.Registration;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.EnvServer;

/// <summary>
/// Envs from users' assemblies (<c>--env-assembly PATH</c>): each assembly loads in a context of its own, so its own
/// dependencies resolve from its folder, while ZeroGym's assemblies are the server's (one <c>Env</c> type for both).
/// Every <see cref="IEnvFamily"/> it declares is registered, and every env is made once with its default kwargs, so a
/// broken assembly, a clashing id or an env whose spaces the wire cannot carry stops the server at start-up with an
/// error naming the assembly and the env, instead of failing a client's <c>make</c> later.
/// </summary>
public static class EnvAssemblies
{
    /// <summary>The server option that loads an assembly (repeatable).</summary>
    public const string Option = "--env-assembly";

    /// <summary>Loads the assembly at <paramref name="path"/> and registers its envs in <paramref name="registry"/>.</summary>
    /// <returns>The ids it registered.</returns>
    /// <exception cref="ArgumentException">The assembly cannot be loaded, declares no env, or one of its envs is refused.</exception>
    public static IReadOnlyList<string> Register(EnvRegistry registry, string path)
    {
        string where = $"{Option} {path}";
        return Register(registry, where, LoadFamilies(path, where), $"assembly {Path.GetFileName(path)}");
    }

    /// <summary>
    /// Registers the specs of <paramref name="families"/> after checking each: its id is new and its env, made with
    /// the default kwargs, has spaces with a wire form whose samples they contain. <paramref name="where"/> names the
    /// assembly in errors, <paramref name="source"/> in <c>list</c>. Nothing is registered when any spec is refused.
    /// </summary>
    internal static IReadOnlyList<string> Register(EnvRegistry registry, string where, IEnumerable<IEnvFamily> families, string source)
    {
        var specs = new List<EnvSpec>();
        foreach (var family in families)
        {
            try
            {
                specs.AddRange(family.Specs);
            }
            catch (Exception error)
            {
                throw new ArgumentException($"{where}: {family.GetType().FullName}.Specs threw {error.GetType().Name}: {error.Message}", error);
            }
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (registry.TryGet(spec.Id, out _))
            {
                throw new ArgumentException($"{where}: env '{spec.Id}' is already registered (built in or by an earlier {Option}); give it another id");
            }

            if (!ids.Add(spec.Id)) throw new ArgumentException($"{where}: env '{spec.Id}' is declared twice by this assembly");

            Check(spec, where);
        }

        registry.Register(specs, source);
        return [.. specs.Select(spec => spec.Id)];
    }

    private static List<IEnvFamily> LoadFamilies(string path, string where)
    {
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new ArgumentException($"{where}: no such file");
        Type[] types;
        try
        {
            var assembly = new EnvAssemblyContext(fullPath).LoadFromAssemblyPath(fullPath);
            types = assembly.GetExportedTypes();
        }
        catch (BadImageFormatException)
        {
            throw new ArgumentException($"{where}: not a .NET assembly (expected the .dll that building the env project writes)");
        }
        catch (ReflectionTypeLoadException error)
        {
            throw new ArgumentException($"{where}: its types cannot be loaded: {LoaderMessages(error)}", error);
        }
        catch (Exception error) when (error is FileLoadException or FileNotFoundException or TypeLoadException)
        {
            throw new ArgumentException($"{where}: cannot be loaded: {error.Message} (was it built against this server's ZeroGym.Envs?)", error);
        }

        var familyTypes = types.Where(type => type.IsClass && !type.IsAbstract && typeof(IEnvFamily).IsAssignableFrom(type)).ToList();
        if (familyTypes.Count == 0)
        {
            throw new ArgumentException($"{where}: declares no envs; expected a public class implementing {typeof(IEnvFamily).FullName} with a parameterless constructor");
        }

        return [.. familyTypes.Select(type => MakeFamily(type, where))];
    }

    private static IEnvFamily MakeFamily(Type type, string where)
    {
        if (type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ArgumentException($"{where}: {type.FullName} implements {nameof(IEnvFamily)} but has no public parameterless constructor");
        }

        try
        {
            return (IEnvFamily)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException error)
        {
            var cause = error.InnerException ?? error;
            throw new ArgumentException($"{where}: new {type.FullName}() threw {cause.GetType().Name}: {cause.Message}", cause);
        }
    }

    /// <summary>Makes the env once with its default kwargs and checks what a client's <c>make</c> would rely on.</summary>
    private static void Check(EnvSpec spec, string where)
    {
        string env = $"{where}: env '{spec.Id}'";
        Envs.Core.Env made;
        try
        {
            made = spec.Make();
        }
        catch (Exception error)
        {
            throw new ArgumentException($"{env} cannot be made with its default kwargs: {error.GetType().Name}: {error.Message}", error);
        }

        using (made)
        {
            CheckSpace(made.ObservationSpace, "observation_space", env);
            CheckSpace(made.ActionSpace, "action_space", env);
        }
    }

    /// <summary>Checks that <paramref name="space"/> has a wire form and contains its own sample; <see cref="ArgumentException"/> naming <paramref name="env"/> if not.</summary>
    internal static void CheckSpace(Spaces.Space? space, string name, string env)
    {
        if (space is null) throw new ArgumentException($"{env}: its {name} is null");
        try
        {
            var writer = new MessagePackWriter(new ArrayBufferWriter<byte>());
            WireFormat.WriteSpace(ref writer, space);
        }
        catch (ArgumentException error)
        {
            throw new ArgumentException($"{env}: its {name} {space} cannot be sent to clients: {error.Message} (spaces are Box, Discrete, MultiBinary, MultiDiscrete, Dict and Tuple)", error);
        }

        object sample = space.Sample(new Random(0));
        if (!space.Contains(sample))
        {
            throw new ArgumentException($"{env}: its {name} {space} does not contain its own sample {Spaces.Space.Describe(sample)}");
        }
    }

    private static string LoaderMessages(ReflectionTypeLoadException error) =>
        string.Join("; ", error.LoaderExceptions.Where(inner => inner is not null).Select(inner => inner!.Message).Distinct().Take(3));

    /// <summary>
    /// One user assembly and its private dependencies. Assemblies the server ships itself (ZeroGym.Envs above all) come
    /// from the server, so the user's envs derive the server's <c>Env</c>; the rest resolve through the assembly's
    /// <c>.deps.json</c> and folder, as they would in the user's own program.
    /// </summary>
    private sealed class EnvAssemblyContext(string path) : AssemblyLoadContext($"env-assembly {Path.GetFileName(path)}")
    {
        private readonly AssemblyDependencyResolver resolver = new(path);

        protected override Assembly? Load(AssemblyName name)
        {
            if (File.Exists(Path.Combine(AppContext.BaseDirectory, name.Name + ".dll"))) return null;
            return resolver.ResolveAssemblyToPath(name) is string file ? LoadFromAssemblyPath(file) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is string file ? LoadUnmanagedDllFromPath(file) : IntPtr.Zero;
    }
}
