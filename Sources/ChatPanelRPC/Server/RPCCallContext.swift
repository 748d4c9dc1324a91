public import ChatPanelProto
public import Logging

/// What a handler knows about the call it serves.
public struct RPCCallContext: Sendable {
    /// The full method path.
    public let method: String
    /// The manager on whose behalf the call is made, with their rights.
    public let caller: RPCV1.Caller
    /// The idempotency key of a mutation (empty when the caller sent none).
    public let requestID: String
    /// When the caller stops waiting.
    public let deadline: ContinuousClock.Instant
    /// The process at the other end of the socket.
    public let peer: PeerCredentials
    /// A logger carrying the call's method and request id.
    public var logger: Logger

    /// A context; servers make these, and tests that call handlers directly.
    public init(
        method: String, caller: RPCV1.Caller, requestID: String = "", deadline: ContinuousClock.Instant,
        peer: PeerCredentials, logger: Logger
    ) {
        self.method = method
        self.caller = caller
        self.requestID = requestID
        self.deadline = deadline
        self.peer = peer
        self.logger = logger
    }

    /// Time left before the deadline (zero once it passed).
    public var timeRemaining: Duration {
        max(.zero, ContinuousClock.now.duration(to: deadline))
    }

    /// Throws `PERMISSION_DENIED` unless the caller holds `right` (administrators hold all).
    public func require(_ right: RPCV1.Right, for action: String) throws(RPCError) {
        guard caller.has(right) else {
            throw RPCError.permissionDenied("\(action) needs the \(right.protoName) right")
        }
    }
}

extension RPCV1.Caller {
    /// A caller with a manager id and rights.
    public init(managerID: Int64, rights: [RPCV1.Right]) {
        self.init()
        self.managerID = managerID
        self.rights = rights
    }

    /// Whether the caller holds `right`; administrators hold every right.
    public func has(_ right: RPCV1.Right) -> Bool {
        rights.contains(right) || rights.contains(.admin)
    }
}
