namespace ZeroGym.Envs.Testing;

/// <summary>An action the server must refuse with <c>invalid_action</c>, and how the failure message names it.</summary>
/// <param name="Description">What is wrong with it: "NaN in every element".</param>
/// <param name="Action">The value sent as the <c>step</c> action.</param>
public sealed record InvalidAction(string Description, object? Action);
