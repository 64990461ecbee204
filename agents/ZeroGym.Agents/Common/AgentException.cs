namespace ZeroGym.Agents.Common;

/// <summary>
/// A problem the user can fix: a wrong option, a run directory in the wrong state, a missing tool. The commands print
/// its message without a stack trace, so the message says what was expected, what was found and what to do.
/// </summary>
public sealed class AgentException(string message, Exception? inner = null) : Exception(message, inner);
