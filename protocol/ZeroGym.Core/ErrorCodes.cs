namespace ZeroGym;

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
