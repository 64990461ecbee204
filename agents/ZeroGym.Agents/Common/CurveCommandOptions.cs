using System.CommandLine;

namespace ZeroGym.Agents.Common;

/// <summary>
/// <c>--curve-server-key</c> and <c>--curve-client-key</c> of the commands that connect to a server: the keys of an
/// encrypted server (SPEC.md §6). They are never written to config.json, so a run's directory holds no secret.
/// </summary>
internal sealed class CurveCommandOptions
{
    public Option<string?> ServerKey { get; } = new("--curve-server-key")
    {
        Description = "The server's public key (its NAME.pub from scripts/keygen, or the Z85 text) when it runs with --curve-secret-key",
    };

    public Option<string?> ClientKey { get; } = new("--curve-client-key")
    {
        Description = "This client's key pair (a NAME.key from scripts/keygen) whose public key the server authorizes",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(ServerKey);
        command.Options.Add(ClientKey);
    }

    /// <summary>The client options for the parsed command line: plain text unless both keys were given.</summary>
    public ClientOptions Read(ParseResult parsed) =>
        new() { CurveServerKey = parsed.GetValue(ServerKey), CurveClientKey = parsed.GetValue(ClientKey) };
}
