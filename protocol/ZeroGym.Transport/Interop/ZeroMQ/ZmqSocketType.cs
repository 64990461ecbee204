namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>ZeroMQ socket types, numbered as libzmq numbers them (ZMQ_PAIR = 0 ... ZMQ_STREAM = 11).</summary>
public enum ZmqSocketType
{
    Pair = 0,
    Pub,
    Sub,
    Req,
    Rep,
    Dealer,
    Router,
    Pull,
    Push,
    XPub,
    XSub,
    Stream,
}
