using System.Buffers.Binary;
using System.Text;

namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>One event of a socket monitor (zmq_socket_monitor): what happened, its value and the endpoint.</summary>
/// <param name="Kind">A readable name of the event, e.g. <c>handshake_failed_protocol</c>.</param>
/// <param name="Value">The event's number: for failed handshakes, libzmq's ZMQ_PROTOCOL_ERROR_* or errno.</param>
/// <param name="Endpoint">The endpoint the event concerns.</param>
public sealed record ZmqMonitorEvent(string Kind, uint Value, string Endpoint)
{
    /// <summary>Reads the next event from a PAIR socket connected to a monitor endpoint, without waiting.</summary>
    /// <returns>False when no event is queued.</returns>
    public static bool TryReceive(ZmqSocket monitor, out ZmqMonitorEvent? monitorEvent)
    {
        monitorEvent = null;
        var frames = new List<byte[]>(2);
        if (!monitor.TryReceiveMultipart(frames, TimeSpan.Zero)) return false;
        if (frames.Count != 2 || frames[0].Length != 6) return false; // not a libzmq v1 monitor message
        int number = BinaryPrimitives.ReadUInt16LittleEndian(frames[0]);
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(frames[0].AsSpan(2));
        monitorEvent = new ZmqMonitorEvent(Name(number), value, Encoding.UTF8.GetString(frames[1]));
        return true;
    }

    private static string Name(int number) => number switch
    {
        LibZmq.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL => "handshake_failed",
        LibZmq.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL => "handshake_failed_protocol",
        LibZmq.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH => "handshake_failed_auth",
        _ => $"event_0x{number:x}",
    };
}
