using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>Waits until one of several sockets has a message to receive (zmq_poll with ZMQ_POLLIN).</summary>
public static class ZmqPoller
{
    private const int StackallocLimit = 16;

    /// <summary>Waits until at least one socket is readable, or the timeout expires.</summary>
    /// <param name="sockets">The sockets to watch; each must be used by no other thread meanwhile.</param>
    /// <param name="readable">Receives, for each socket at the same index, whether it is readable.</param>
    /// <param name="timeout"><see cref="TimeSpan.Zero"/>: do not wait; <see cref="Timeout.InfiniteTimeSpan"/>:
    /// wait forever.</param>
    /// <returns>How many sockets are readable; 0 when the timeout expired.</returns>
    /// <exception cref="ZmqException">zmq_poll failed, e.g. with ETERM after the context was shut down.</exception>
    public static int Poll(ReadOnlySpan<ZmqSocket> sockets, Span<bool> readable, TimeSpan timeout) =>
        Poll(sockets, readable, [], timeout);

    /// <summary>
    /// Waits until at least one socket is readable or one plain file descriptor is ready as asked, or the timeout
    /// expires: one zmq_poll over both, so a thread can serve ZeroMQ sockets and ordinary ones (e.g. a Unix stream
    /// socket) without a second thread handing messages over.
    /// </summary>
    /// <param name="sockets">The ZeroMQ sockets to watch for a message; each must be used by no other thread meanwhile.</param>
    /// <param name="readable">Receives, for each socket at the same index, whether it is readable.</param>
    /// <param name="descriptors">The file descriptors to watch, with <see cref="FileDescriptorPoll.WantWrite"/> set
    /// where writability is wanted as well as readability; their <see cref="FileDescriptorPoll.Readable"/> and
    /// <see cref="FileDescriptorPoll.Writable"/> are set on return (an error or hang-up counts as readable, so the
    /// caller's read finds it).</param>
    /// <param name="timeout"><see cref="TimeSpan.Zero"/>: do not wait; <see cref="Timeout.InfiniteTimeSpan"/>: wait forever.</param>
    /// <returns>How many sockets and descriptors are ready; 0 when the timeout expired.</returns>
    /// <exception cref="ZmqException">zmq_poll failed, e.g. with ETERM after the context was shut down.</exception>
    public static int Poll(ReadOnlySpan<ZmqSocket> sockets, Span<bool> readable, Span<FileDescriptorPoll> descriptors, TimeSpan timeout)
    {
        if (readable.Length != sockets.Length)
        {
            throw new ArgumentException(
                $"Expected one readable flag per socket ({sockets.Length}), found {readable.Length}.",
                nameof(readable));
        }

        int timeoutMilliseconds = ZmqTime.ToMilliseconds(timeout, nameof(timeout));
        int total = sockets.Length + descriptors.Length;
        Span<LibZmq.PollItem> items = total <= StackallocLimit
            ? stackalloc LibZmq.PollItem[StackallocLimit]
            : new LibZmq.PollItem[total];
        items = items[..total];

        // zmq_poll takes raw socket pointers: hold a reference on each handle so no Dispose frees one meanwhile.
        int referenced = 0;
        try
        {
            for (; referenced < sockets.Length; referenced++)
            {
                ZmqSocket socket = sockets[referenced]
                    ?? throw new ArgumentException($"Expected a socket at index {referenced}, found null.", nameof(sockets));
                ZmqSocketHandle handle = socket.Handle;
                bool added = false;
                handle.DangerousAddRef(ref added);
                items[referenced] = new LibZmq.PollItem { Socket = handle.DangerousGetHandle(), Events = LibZmq.ZMQ_POLLIN };
            }

            for (int i = 0; i < descriptors.Length; i++)
            {
                items[sockets.Length + i] = new LibZmq.PollItem
                {
                    Fd = descriptors[i].Descriptor,
                    Events = (short)(LibZmq.ZMQ_POLLIN | (descriptors[i].WantWrite ? LibZmq.ZMQ_POLLOUT : 0)),
                };
            }

            int count = PollItems(items, timeoutMilliseconds);
            for (int i = 0; i < sockets.Length; i++)
            {
                readable[i] = (items[i].ReturnedEvents & LibZmq.ZMQ_POLLIN) != 0;
            }

            for (int i = 0; i < descriptors.Length; i++)
            {
                short returned = items[sockets.Length + i].ReturnedEvents;
                // zmq_poll reports an error or hang-up as ZMQ_POLLERR: a read then sees the error or the end.
                descriptors[i].Readable = (returned & (LibZmq.ZMQ_POLLIN | LibZmq.ZMQ_POLLERR)) != 0;
                descriptors[i].Writable = (returned & LibZmq.ZMQ_POLLOUT) != 0;
            }

            return count;
        }
        finally
        {
            for (int i = 0; i < referenced; i++)
            {
                sockets[i].UncheckedHandle.DangerousRelease();
            }
        }
    }

    /// <summary>zmq_poll, restarted with the time left when a signal interrupts it.</summary>
    private static unsafe int PollItems(Span<LibZmq.PollItem> items, int timeoutMilliseconds)
    {
        long start = Stopwatch.GetTimestamp();
        long remaining = timeoutMilliseconds;
        while (true)
        {
            int result;
            fixed (LibZmq.PollItem* first = items)
            {
                result = LibZmq.zmq_poll(first, items.Length, new CLong((nint)remaining));
            }

            if (ZmqError.Check(result, "zmq_poll") == ZmqStatus.Done)
            {
                return result;
            }

            // Check threw for real failures; what is left is EINTR, so wait again for the time left.
            if (timeoutMilliseconds >= 0)
            {
                long elapsed = (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                remaining = Math.Max(0, timeoutMilliseconds - elapsed);
            }
        }
    }
}
