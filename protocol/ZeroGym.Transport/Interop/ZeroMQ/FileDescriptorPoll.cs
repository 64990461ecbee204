namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>A plain file descriptor for <see cref="ZmqPoller.Poll(ReadOnlySpan{ZmqSocket}, Span{bool}, Span{FileDescriptorPoll}, TimeSpan)"/>: what to wait for, and what was found.</summary>
/// <param name="Descriptor">The descriptor (e.g. a socket's handle); it must stay open during the poll.</param>
/// <param name="WantWrite">Whether being writable also ends the wait (readability always does).</param>
public record struct FileDescriptorPoll(int Descriptor, bool WantWrite)
{
    /// <summary>Set by the poll: data, an end of stream or an error is waiting to be read.</summary>
    public bool Readable { get; set; }

    /// <summary>Set by the poll: a write would not block (only when <see cref="WantWrite"/>).</summary>
    public bool Writable { get; set; }
}
