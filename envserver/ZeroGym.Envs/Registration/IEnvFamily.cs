namespace ZeroGym.Envs.Registration;

/// <summary>
/// The envs an assembly offers a server: <c>scripts/serve --env-assembly PATH/TO/MyEnvs.dll</c> makes every public,
/// non-abstract class implementing this with its parameterless constructor and registers its specs beside the
/// built-in envs, as a Gymnasium package's <c>register(...)</c> calls do when it is imported.
/// </summary>
/// <example>
/// <code>
/// public sealed class MyEnvs : IEnvFamily
/// {
///     public IEnumerable&lt;EnvSpec&gt; Specs =&gt; [GridWalkEnv.Spec];
/// }
/// </code>
/// </example>
public interface IEnvFamily
{
    /// <summary>The family's env specs, each with a versioned id ("GridWalk-v0") no other env of the server uses.</summary>
    IEnumerable<EnvSpec> Specs { get; }
}
