import ChatPanelSystem

/// How an ``RPCServer`` listens and what it tolerates.
public struct RPCServerConfiguration: Sendable {
    /// Where connections come from.
    public enum Listener: Sendable, Hashable {
        /// Bind this Unix socket path (a stale socket file there is removed first).
        case path(String)
        /// A listening socket handed over by systemd (`LISTEN_FDS`), by file descriptor.
        case activatedDescriptor(Int32)
    }

    /// Where connections come from.
    public var listener: Listener
    /// Permission bits of a socket file the server binds itself. Default `0o660`.
    public var socketMode: UInt32 = 0o660
    /// Largest frame accepted or sent, in bytes. Default 1 MiB.
    public var maximumFrameSize: Int = 1 << 20
    /// How long one frame may take to arrive once started. Default 10 s.
    public var frameReadTimeout: Duration = .seconds(10)
    /// Calls one connection may have in flight (server streams included). At the cap the server
    /// stops reading the connection until a call ends; calls already read wait their turn, their
    /// deadlines running. Default 256.
    public var maximumCallsInFlightPerConnection: Int = 256
    /// Connections served at once; a connection above it is closed as soon as it is accepted,
    /// before anything is read. Keep it below the process's file-descriptor limit. Default 1024.
    public var maximumConnections: Int = 1024
    /// How long accepting pauses when the process is out of file descriptors (`EMFILE`,
    /// `ENFILE`) before it tries again. Default 200 ms.
    public var acceptBackoff: Duration = .milliseconds(200)
    /// Deadline of a call that names none. Default 30 s.
    public var defaultCallTimeout: Duration = .seconds(30)
    /// The longest deadline honoured; longer ones are cut to it. Default 5 min.
    public var maximumCallTimeout: Duration = .seconds(300)
    /// The longest deadline honoured for a subscription (a server stream registered with
    /// `isSubscription`, such as a change feed or a panel watch). Default 24 h.
    public var maximumSubscriptionTimeout: Duration = .seconds(86_400)
    /// How long shutdown waits for calls in flight before closing connections. Default 10 s.
    public var shutdownGracePeriod: Duration = .seconds(10)
    /// Who may connect. Default: processes of this server's own user.
    public var peerPolicy: PeerPolicy = PeerPolicy(allowedUserIDs: [UnixSocketFile.currentUserID])
    /// Largest nesting depth accepted in request messages. Default 32.
    public var maximumMessageDepth: Int = 32

    /// A configuration with defaults for everything but the listener.
    public init(listener: Listener) {
        self.listener = listener
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
