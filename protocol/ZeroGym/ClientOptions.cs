namespace ZeroGym;

/// <summary>How a client talks to a server.</summary>
public sealed record ClientOptions
{
    /// <summary>How long to wait for each reply before giving up with a <see cref="ServerTimeoutException"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Name and version the server writes in its log for this client.</summary>
    public string ClientName { get; init; } = $"zerogym-dotnet/{typeof(ClientOptions).Assembly.GetName().Version?.ToString(3)}";
}
