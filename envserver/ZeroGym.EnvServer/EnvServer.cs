using System.Diagnostics;
using ZeroGym.Cluster;
using ZeroGym.Envs.Registration;
using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.EnvServer;

/// <summary>
/// The env server: one ROUTER socket bound to every endpoint, one thread that receives a request, has the
/// <see cref="RequestHandler"/> execute it and sends the reply back to the client that asked.
/// </summary>
/// <remarks>
/// Requests run inline on the loop thread: a CartPole step costs far less than a thread hop, and a single
/// thread makes replies to each client come back in request order (SPEC.md §1) without locks. The work that
/// asynchronous vector envs queue (SPEC.md §3.4) runs on the same thread whenever no request is waiting when it is
/// cheap; expensive sub-envs step on the <see cref="VectorWorkRunner"/>'s worker threads while the loop goes on
/// serving, and wake the loop through an inproc PAIR socket it polls beside the ROUTER when a waiting <c>recv</c>'s
/// batch is complete. Calls into envs that live in worker processes (Python, NES) run on threads of their own
/// (<see cref="OffLoopCalls"/>) and wake the loop the same way, so one slow or hanging env holds up only its own
/// client. The replies that work completes go out right after. Same-host clients may instead talk over a
/// Unix stream socket (<see cref="LocalStreams"/>, SPEC.md §1.1) that this loop polls and serves beside the ROUTER.
/// </remarks>
public sealed class EnvServer : IDisposable
{
    /// <summary>How long the loop waits for a request before it looks at idle clients and cancellation.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private const int EHostUnreachable = 113;

    private readonly ServerOptions options;
    private readonly ServerLog log;
    private readonly ZmqContext context = new();
    private readonly ZmqSocket socket;
    private readonly CurveAuthenticator? authenticator;
    private readonly LocalStreams? localStreams;
    // With local streams: the ROUTER's and the wake socket's ZMQ_FD come first in the descriptors polled.
    private const int ZeroMqDescriptors = 2;
    private const int RequestsPerTurn = 64;
    private FileDescriptorPoll[] descriptors = [];
    private int describedCount;
    private int routerDescriptor;
    private int wakeDescriptor;
    // Whether the ROUTER or the wake socket may hold messages their descriptors will not signal (edge-triggered).
    private bool routerMayHaveRequests = true;
    private bool wakeMayHaveSignals = true;
    // The worker threads' and off-loop calls' signal to the loop: one empty message on an inproc PAIR, sent under wakeGate.
    private readonly ZmqSocket wakeReceiver;
    private readonly ZmqSocket wakeSender;
    private readonly Lock wakeGate = new();
    private readonly VectorWorkRunner workers;
    private readonly List<string> boundEndpoints = [];
    private readonly Dictionary<string, (long LastLogged, int NotLogged)> droppedReplies = new(StringComparer.Ordinal);
    private readonly long spinTicks;
    private byte[] lastIdentity = [];
    // The handler's client count as of the last load published: the handler is the loop thread's, Load anyone's.
    private int publishedClientCount;
    private string lastClientId = "";

    public EnvServer(ServerOptions options, EnvRegistry registry, ServerLog log, TimeProvider? time = null)
    {
        this.options = options;
        this.log = log;
        spinTicks = (long)(options.SpinAfterReply.TotalSeconds * Stopwatch.Frequency);
        EndpointPolicy.CheckPlainTextAllowed(options);
        string wakeEndpoint = $"inproc://zerogym-work-finished-{Guid.NewGuid():N}";
        wakeReceiver = context.CreateSocket(ZmqSocketType.Pair);
        wakeReceiver.Linger = 0;
        wakeReceiver.Bind(wakeEndpoint);
        wakeSender = context.CreateSocket(ZmqSocketType.Pair);
        wakeSender.Linger = 0;
        wakeSender.Connect(wakeEndpoint);
        // One worker per core: the loop thread itself mostly waits. Two at least, so one slow sub-env never holds up the rest.
        workers = new VectorWorkRunner(Math.Max(2, Environment.ProcessorCount), options.SpinAfterReply, WakeLoop);
        Handler = new RequestHandler(registry, options, log, time, workers, new OffLoopCalls(OffLoopCalls.DefaultGrace, WakeLoop));
        socket = context.CreateSocket(ZmqSocketType.Router);
        socket.Linger = 0;
        socket.RouterMandatory = true;
        // Requests between the limit and four times it get a too_large reply; ZeroMQ drops bigger ones unread.
        socket.MaxMessageSize = 4L * options.MaxMessageBytes;
        // Per connection: a flooding client fills only its own queue, and ZeroMQ's fair queueing serves the others.
        socket.ReceiveHighWatermark = options.MaxOutstandingRequests;
        socket.SendHighWatermark = options.MaxOutstandingRequests;
        try
        {
            if (options.Curve is { } curve)
            {
                authenticator = new CurveAuthenticator(context, curve.AuthorizedKeys, log);
                socket.CurveServer = true;
                socket.CurveSecretKey = curve.ServerKeys.SecretKey;
                socket.ZapDomain = "zerogym";
                authenticator.Monitor(context, socket);
            }

            foreach (string endpoint in options.Endpoints)
            {
                socket.Bind(endpoint);
                boundEndpoints.Add(socket.LastEndpoint);
            }

            // Plain text only: a CURVE server's clients must not be offered a way around their keys.
            if (options.LocalStream && options.Curve is null)
            {
                localStreams = new LocalStreams(socket.MaxMessageSize, options.MaxOutstandingRequests, log);
                Handler.LocalStreamPath = localStreams.Path;
                routerDescriptor = socket.FileDescriptor;
                wakeDescriptor = wakeReceiver.FileDescriptor;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The endpoints actually bound, with the port filled in where a wildcard was asked for.</summary>
    public IReadOnlyList<string> Endpoints => boundEndpoints;

    internal RequestHandler Handler { get; }

    /// <summary>The path of the same-host Unix stream socket this server also serves on (SPEC.md §1.1), or null when it offers none.</summary>
    public string? LocalStreamPath => localStreams?.Path;

    /// <summary>
    /// Makes this server a node of <paramref name="cluster"/>: it offers the capability <c>cluster</c> and answers
    /// <c>nodes</c> and <c>place</c> (SPEC.md §3.5). Call before <see cref="Run"/>.
    /// </summary>
    public void JoinCluster(ICluster cluster) => Handler.Cluster = cluster;

    /// <summary>The open sub-envs, steps taken and clients known, refreshed by the loop once a second; safe to read from any thread.</summary>
    public NodeLoad Load => Handler.Load with { Clients = Volatile.Read(ref publishedClientCount) };

    /// <summary>Serves requests until <paramref name="cancellation"/> fires.</summary>
    public void Run(CancellationToken cancellation)
    {
        using var identity = new ZmqMessage();
        using var payload = new ZmqMessage();
        using var wake = new ZmqMessage();
        // The ROUTER first, the workers' signal second, then the authenticator's sockets.
        ZmqSocket[] polled = [socket, wakeReceiver, .. authenticator?.Sockets ?? []];
        var readable = new bool[polled.Length];
        long nextSweep = Environment.TickCount64 + 1000;
        Func<bool> requestWaiting = () => socket.TryReceive(identity, TimeSpan.Zero);
        Func<bool> anythingWaiting = () => ZmqPoller.Poll(polled, readable, TimeSpan.Zero) > 0;
        Func<bool> streamsOrZeroMqWaiting = () => PollDescriptors(TimeSpan.Zero) > 0;
        Func<string, ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> handle = Handler.Handle;
        bool served = false;
        Action<string, ReadOnlySpan<byte>> sendHeld = SendHeld;
        while (!cancellation.IsCancellationRequested)
        {
            // Queued work of asynchronous vector envs (SPEC.md §3.4) runs when no request is waiting: requests first,
            // so a recv whose batch is finished is answered before the next batch is stepped.
            bool work = Handler.HasQueuedWork;
            var wait = work ? TimeSpan.Zero : PollInterval;
            if (localStreams is not null)
            {
                served = ServeWithLocalStreams(work, served, streamsOrZeroMqWaiting, identity, payload, wake, handle);
            }
            else if (authenticator is null && !Handler.HasWorkOnWorkers)
            {
                // One blocking receive per request: the cheapest wait there is, for the common plain-text server.
                served = (!work && served && SpinUntil(requestWaiting)) || socket.TryReceive(identity, wait);
                if (served) Serve(identity, payload);
            }
            else if ((!work && served && SpinUntil(anythingWaiting)) || ZmqPoller.Poll(polled, readable, wait) > 0)
            {
                if (readable[1]) CollectWakeSignals(wake);
                authenticator?.HandlePending();
                served = false;
                // A bounded batch, so new clients' handshakes (and the workers' results) wait for at most this many requests.
                for (int count = 0; count < RequestsPerTurn && readable[0] && socket.TryReceive(identity, TimeSpan.Zero); count++)
                {
                    Serve(identity, payload);
                    served = true;
                }
            }
            else
            {
                served = false;
            }

            if (work && !served) Handler.RunQueuedWork();
            Handler.FlushHeldReplies(sendHeld);

            if (Environment.TickCount64 >= nextSweep)
            {
                Handler.CloseIdleClients();
                Handler.PublishLoad();
                Volatile.Write(ref publishedClientCount, Handler.ClientCount);
                nextSweep = Environment.TickCount64 + 1000;
            }
        }
    }

    /// <summary>
    /// One turn of the loop when same-host streams are served: a single plain poll over the ROUTER's and the wake
    /// socket's ZMQ_FD and the streams' descriptors, then whatever it found. zmq_poll would instead ask each ZeroMQ
    /// socket for its events on every wait (four more system calls, which cost most of a stream request's time on a
    /// virtual machine); their descriptors are edge-triggered, so each socket is drained until EAGAIN before it is
    /// waited on again, and a send on the ROUTER (which may take its signal) makes the next turn try a receive.
    /// </summary>
    /// <returns>Whether a request was served.</returns>
    private bool ServeWithLocalStreams(bool work, bool servedLast, Func<bool> anythingWaiting, ZmqMessage identity, ZmqMessage payload, ZmqMessage wake,
        Func<string, ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> handle)
    {
        bool zeroMqPending = routerMayHaveRequests || wakeMayHaveSignals;
        bool spun = !work && !zeroMqPending && servedLast && SpinUntil(anythingWaiting);
        if (!spun && PollDescriptors(work || zeroMqPending ? TimeSpan.Zero : PollInterval) == 0 && !zeroMqPending) return false;

        routerMayHaveRequests |= descriptors[0].Readable;
        wakeMayHaveSignals |= descriptors[1].Readable;
        if (wakeMayHaveSignals)
        {
            CollectWakeSignals(wake);
            wakeMayHaveSignals = false;
        }

        bool served = false;
        if (routerMayHaveRequests)
        {
            int count = 0;
            while (count < RequestsPerTurn && socket.TryReceive(identity, TimeSpan.Zero))
            {
                Serve(identity, payload);
                served = true;
                count++;
            }

            // Drained (the last receive found nothing, after any reply sent) unless the batch's bound stopped it.
            routerMayHaveRequests = count == RequestsPerTurn;
        }

        return localStreams!.Serve(descriptors.AsSpan(ZeroMqDescriptors, describedCount - ZeroMqDescriptors), handle) | served;
    }

    /// <summary>Polls the ROUTER's and the wake socket's descriptors, then the local streams' (their results in <see cref="descriptors"/>).</summary>
    private int PollDescriptors(TimeSpan wait)
    {
        describedCount = ZeroMqDescriptors + localStreams!.DescriptorCount;
        if (descriptors.Length < describedCount) descriptors = new FileDescriptorPoll[Math.Max(2 * descriptors.Length, describedCount)];
        descriptors[0] = new FileDescriptorPoll(routerDescriptor, WantWrite: false);
        descriptors[1] = new FileDescriptorPoll(wakeDescriptor, WantWrite: false);
        localStreams.Describe(descriptors.AsSpan(ZeroMqDescriptors, describedCount - ZeroMqDescriptors));
        return ZmqPoller.Poll([], [], descriptors.AsSpan(0, describedCount), wait);
    }

    /// <summary>Takes every signal the worker threads and off-loop calls sent so far, then the results behind all of them.</summary>
    private void CollectWakeSignals(ZmqMessage wake)
    {
        while (wakeReceiver.TryReceive(wake, TimeSpan.Zero))
        {
            // One collection takes the results behind every signal.
        }

        Handler.FinishOffLoopCalls();
        Handler.CollectFinishedWork();
    }

    /// <summary>Wakes the loop thread from another thread: a ZeroMQ socket is used by one thread at a time.</summary>
    private void WakeLoop()
    {
        lock (wakeGate) wakeSender.TrySend([]);
    }

    /// <summary>A reply the handler held back (behind a recv's batch), to whichever transport its client uses.</summary>
    private void SendHeld(string clientId, ReadOnlySpan<byte> reply)
    {
        if (!LocalStreams.IsLocalClient(clientId))
        {
            Send(Convert.FromHexString(clientId), reply, clientId);
        }
        else if (localStreams?.Send(clientId, reply) is { } dropped)
        {
            LogDroppedReply(clientId, dropped);
        }
    }

    /// <summary>
    /// Calls <paramref name="poll"/> until it is true or <see cref="ServerOptions.SpinAfterReply"/> has passed: the
    /// next request of a client stepping in a loop is taken without the loop thread going to sleep.
    /// </summary>
    private bool SpinUntil(Func<bool> poll)
    {
        if (spinTicks <= 0) return false;
        long deadline = Stopwatch.GetTimestamp() + spinTicks;
        do
        {
            if (poll()) return true;
            // Any other thread that wants this CPU gets it (on a busy machine that may be the very thread carrying
            // the next request); on an idle one the yield returns at once and the CPU stays awake.
            Thread.Yield();
        }
        while (Stopwatch.GetTimestamp() < deadline);
        return false;
    }

    private void Serve(ZmqMessage identity, ZmqMessage payload)
    {
        // A ROUTER delivers [identity, frames...]; the frames of one message arrive together.
        if (!identity.More) return;
        socket.Receive(payload);
        string clientId = ClientId(identity.Data);
        ReadOnlySpan<byte> reply;
        if (payload.More)
        {
            int frames = 1;
            while (payload.More)
            {
                socket.Receive(payload);
                frames++;
            }

            reply = Handler.Reject(clientId, ErrorCodes.Malformed, $"a request is one frame; got {frames} frames").Span;
        }
        else
        {
            reply = Handler.Handle(clientId, payload.Memory).Span;
        }

        // Empty: the reply waits behind a recv's batch and goes out with FlushHeldReplies.
        if (!reply.IsEmpty) Send(identity.Data, reply, clientId);
    }

    private void Send(ReadOnlySpan<byte> identity, ReadOnlySpan<byte> reply, string clientId)
    {
        // A send may process the ROUTER's pending commands, taking the signal of a request that came meanwhile.
        routerMayHaveRequests = true;
        try
        {
            if (socket.TrySend(identity, more: true) && socket.TrySend(reply)) return;
            LogDroppedReply(clientId, "the client's queue is full: it is not reading its replies");
        }
        catch (ZmqException error) when (error.ErrorCode == EHostUnreachable)
        {
            LogDroppedReply(clientId, "the client disconnected before its reply");
        }
    }

    /// <summary>A client that never reads would otherwise add a log line per request: one line a second, with a count.</summary>
    private void LogDroppedReply(string clientId, string reason)
    {
        long now = Environment.TickCount64;
        if (droppedReplies.TryGetValue(clientId, out var last) && now - last.LastLogged < 1000)
        {
            droppedReplies[clientId] = (last.LastLogged, last.NotLogged + 1);
            return;
        }

        if (droppedReplies.Count > 10_000) droppedReplies.Clear();
        droppedReplies[clientId] = (now, 0);
        log.Warn("reply_dropped", ("client", clientId), ("reason", reason), ("dropped_since_last_line", last.NotLogged > 0 ? last.NotLogged : null));
    }

    private string ClientId(ReadOnlySpan<byte> identity)
    {
        if (!identity.SequenceEqual(lastIdentity))
        {
            lastIdentity = identity.ToArray();
            lastClientId = Convert.ToHexStringLower(identity);
        }

        return lastClientId;
    }

    public void Dispose()
    {
        // The sessions first: closing them waits for their sub-envs on the worker threads.
        Handler.Dispose();
        workers.Dispose();
        localStreams?.Dispose();
        wakeSender.Dispose();
        wakeReceiver.Dispose();
        authenticator?.StopMonitoring(); // before the ROUTER closes: see ZmqSocket.StopMonitor
        socket.Dispose();
        authenticator?.Dispose();
        context.Dispose();
    }
}
