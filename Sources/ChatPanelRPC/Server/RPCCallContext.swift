public import ChatPanelProto
public import Logging
public import W3CTraceContext

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
    /// The call's id on its connection (0 outside a server).
    public let callID: UInt64
    /// The call's own span: in the caller's trace when the request frame carried a
    /// `traceparent`, else the first span of a new trace.
    public let trace: TraceContext
    /// The caller's span (nil when the trace started with this call).
    public let parentSpanID: SpanID?
    private let connectionLogger: Logger

    /// A context; servers make these, and tests that call handlers directly.
    public init(
        method: String, caller: RPCV1.Caller, requestID: String = "", deadline: ContinuousClock.Instant,
        peer: PeerCredentials, logger: Logger, callID: UInt64 = 0, trace: TraceContext? = nil, parentSpanID: SpanID? = nil
    ) {
        self.trace = trace ?? TraceContext.startingTrace()
        self.parentSpanID = parentSpanID
        self.method = method
        self.caller = caller
        self.requestID = requestID
        self.deadline = deadline
        self.peer = peer
        self.callID = callID
        self.connectionLogger = logger
    }

    /// A logger carrying the call's method, call id, request id and trace (made when asked for:
    /// most calls log nothing).
    public var logger: Logger {
        var logger = connectionLogger
        logger[metadataKey: "chatpanel.trace_id"] = "\(trace.traceID)"
        logger[metadataKey: "chatpanel.span_id"] = "\(trace.spanID)"
        logger[metadataKey: "chatpanel.rpc.method"] = "\(method)"
        if callID != 0 { logger[metadataKey: "chatpanel.rpc.call_id"] = "\(callID)" }
        if !requestID.isEmpty { logger[metadataKey: "chatpanel.rpc.request_id"] = "\(requestID)" }
        return logger
    }

    /// Whether the process logs every call's end (log level `debug`), with its trace.
    public var logsEachCall: Bool { connectionLogger.logLevel <= .debug }

    /// Time left before the deadline (zero once it passed).
    public var timeRemaining: Duration {
        max(.zero, ContinuousClock.now.duration(to: deadline))
    }

    /// The calling manager's id: the one way a handler learns who acts. Throws
    /// `UNAUTHENTICATED` when the call names no manager (authors, audits and "mine" need one).
    ///
    /// ```swift
    /// let author = try context.managerID(for: "creating a note")
    /// ```
    public func managerID(for action: String) throws(RPCError) -> Int64 {
        guard caller.managerID > 0 else {
            throw RPCError(code: .unauthenticated, message: "\(action) needs the calling manager's id")
        }
        return caller.managerID
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
