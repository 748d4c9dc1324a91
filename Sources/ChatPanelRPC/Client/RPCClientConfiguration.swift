public import ChatPanelProto

/// How an ``RPCClient`` reaches its service and how it behaves when the service is away.
public struct RPCClientConfiguration: Sendable {
    /// The service's Unix socket.
    public var socketPath: String
    /// How long connecting may take. Default 1 s.
    public var connectTimeout: Duration = .seconds(1)
    /// Deadline of a call that names none. Default 5 s.
    public var defaultCallTimeout: Duration = .seconds(5)
    /// Largest frame accepted or sent, in bytes. Default 1 MiB.
    public var maximumFrameSize: Int = 1 << 20
    /// How long a frame may take to arrive once started. Default 10 s.
    public var frameReadTimeout: Duration = .seconds(10)
    /// Waiting time after the first failed connect; doubled after each further failure. Default 50 ms.
    public var initialBackoff: Duration = .milliseconds(50)
    /// The longest wait between connect attempts. Default 2 s.
    public var maximumBackoff: Duration = .seconds(2)
    /// Calls sent on one connection and not yet answered (server streams included); further
    /// calls wait in the client, in order, their deadlines running. Keep it at or below the
    /// server's cap (256 by default), where the server stops reading. Default 256.
    public var maximumCallsInFlight: Int = 256
    /// Calls that may wait on one connection; a call beyond it fails at once with
    /// `RESOURCE_EXHAUSTED`. Default 4096.
    public var maximumQueuedCalls: Int = 4096
    /// The caller identity sent when a call names none.
    public var defaultCaller: RPCV1.Caller = RPCV1.Caller()

    /// A configuration with defaults for everything but the socket path.
    public init(socketPath: String) {
        self.socketPath = socketPath
    }
}

/// Per-call settings.
public struct RPCCallOptions: Sendable {
    /// The call's deadline, counted from when it starts; nil uses the client's default.
    public var timeout: Duration?
    /// Who the call is made for; nil uses the client's default caller.
    public var caller: RPCV1.Caller?
    /// Idempotency key of a mutation; a retry with the same key is applied once.
    public var requestID: String

    /// Options; every argument is optional.
    public init(timeout: Duration? = nil, caller: RPCV1.Caller? = nil, requestID: String = "") {
        self.timeout = timeout
        self.caller = caller
        self.requestID = requestID
    }
}
