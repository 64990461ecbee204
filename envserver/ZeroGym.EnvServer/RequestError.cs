namespace ZeroGym.EnvServer;

/// <summary>A request the server rejects: becomes the reply <c>{id, error: {code, message}}</c>.</summary>
/// <param name="code">One of <see cref="ErrorCodes"/>.</param>
public sealed class RequestError(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}
