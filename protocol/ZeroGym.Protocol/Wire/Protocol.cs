namespace ZeroGym.Protocol.Wire;

/// <summary>Version and vocabulary of the wire protocol (protocol/SPEC.md).</summary>
public static class ProtocolConstants
{
    /// <summary>The protocol version this code speaks (SPEC.md §6).</summary>
    public const int Version = 1;

    public const string ServerName = "zerogym-server";

    /// <summary>Optional parts a version-1 server offers (SPEC.md §3).</summary>
    public static readonly IReadOnlyList<string> Capabilities = ["vector", "render:rgb_array", "reset_options", "wrappers"];

    /// <summary>Whether a client speaking <paramref name="clientVersion"/> can talk to this code; pure, so it is unit-tested without a socket.</summary>
    public static bool IsCompatible(long clientVersion) => clientVersion == Version;
}

/// <summary>The request kinds (<c>op</c>) of SPEC.md §3.</summary>
public static class Ops
{
    public const string Hello = "hello";
    public const string Ping = "ping";
    public const string List = "list";
    public const string Make = "make";
    public const string Reset = "reset";
    public const string Step = "step";
    public const string Render = "render";
    public const string Close = "close";
}

/// <summary>Error codes of SPEC.md §3.2; the table there says when each is used.</summary>
public static class ErrorCodes
{
    public const string Malformed = "malformed";
    public const string TooLarge = "too_large";
    public const string VersionMismatch = "version_mismatch";
    public const string UnknownOp = "unknown_op";
    public const string UnknownEnv = "unknown_env";
    public const string InvalidArgument = "invalid_argument";
    public const string UnknownHandle = "unknown_handle";
    public const string InvalidAction = "invalid_action";
    public const string ResetNeeded = "reset_needed";
    public const string NotRendering = "not_rendering";
    public const string LimitExceeded = "limit_exceeded";
    public const string EnvFailure = "env_failure";
    public const string Internal = "internal";
}
