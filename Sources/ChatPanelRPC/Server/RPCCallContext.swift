public import ChatPanelProto
public import Instrumentation
public import Logging
public import W3CTraceContext

#if canImport(Glibc)
    import Glibc
#endif

/// What a handler knows about the call it serves.
public struct RPCCallContext: Sendable {
    /// The full method path.
    public var method: String { storage.method }
    /// The manager on whose behalf the call is made, with their rights.
    public var caller: RPCV1.Caller { storage.caller }
    /// The idempotency key of a mutation (empty when the caller sent none).
    public var requestID: String { storage.requestID }
    /// When the caller stops waiting.
    public var deadline: ContinuousClock.Instant { storage.deadline }
    /// The process at the other end of the socket.
    public var peer: PeerCredentials { storage.peer }
    /// The call's id on its connection (0 outside a server).
    public var callID: UInt64 { storage.callID }
    /// The call's own span: in the caller's trace when the request frame carried a
    /// `traceparent`, else the first span of a new trace.
    public var trace: TraceContext { storage.trace }
    /// The caller's span (nil when the trace started with this call).
    public var parentSpanID: SpanID? { storage.parentSpanID }
    private var connectionLogger: Logger { storage.logger }

    /// Everything, made once per call: a context is passed and captured many times over (into
    /// the call's task, its handler, the handler's own calls), and a copy is one retain instead
    /// of one for each of the strings, arrays and logger it holds.
    private final class Storage: Sendable {
        let method: String
        let caller: RPCV1.Caller
        let requestID: String
        let deadline: ContinuousClock.Instant
        let peer: PeerCredentials
        let callID: UInt64
        let trace: TraceContext
        let parentSpanID: SpanID?
        let logger: Logger

        init(
            method: String, caller: RPCV1.Caller, requestID: String, deadline: ContinuousClock.Instant, peer: PeerCredentials,
            callID: UInt64, trace: TraceContext, parentSpanID: SpanID?, logger: Logger
        ) {
            self.method = method
            self.caller = caller
            self.requestID = requestID
            self.deadline = deadline
            self.peer = peer
            self.callID = callID
            self.trace = trace
            self.parentSpanID = parentSpanID
            self.logger = logger
        }
    }

    private let storage: Storage

    /// A context; servers make these, and tests that call handlers directly.
    public init(
        method: String, caller: RPCV1.Caller, requestID: String = "", deadline: ContinuousClock.Instant,
        peer: PeerCredentials, logger: Logger, callID: UInt64 = 0, trace: TraceContext? = nil, parentSpanID: SpanID? = nil
    ) {
        storage = Storage(
            method: method, caller: caller, requestID: requestID, deadline: deadline, peer: peer, callID: callID,
            trace: trace ?? TraceContext.startingTrace(), parentSpanID: parentSpanID, logger: logger)
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

    /// The call the current task or thread serves: bound by the server while a handler runs
    /// (and seen by the tasks that a handler running in a task starts), nil elsewhere. Calls the
    /// handler makes carry its span as their parent, and log lines written meanwhile name its
    /// trace and request id.
    ///
    /// A task-local holding one reference: the call's `ServiceContext` is not bound for every
    /// call (a dictionary and a boxed span made per call, about 3 000 instructions); code that
    /// works with swift-distributed-tracing binds ``serviceContext`` itself. A trace a task
    /// binds in a `ServiceContext` of its own comes first, for its calls and its log lines.
    ///
    /// A handler that runs in a task has it bound as a task-local (``bound``). A synchronous
    /// handler, which runs inside the read of its request on the loop's thread with no task, has
    /// it set in a slot of that thread for as long as it runs (``withThreadBinding(_:)``): a
    /// task-local bound outside a task costs two allocations and about 1 000 instructions, for
    /// every panel read.
    public static var current: RPCCallContext? {
        if let onThread = ThreadSlot.value {
            return RPCCallContext(storage: Unmanaged<Storage>.fromOpaque(onThread).takeUnretainedValue())
        }
        return bound
    }

    /// The call a task serves, bound by the server around a handler that runs in a task.
    @TaskLocal static var bound: RPCCallContext?

    /// Runs `body` with this call as ``current`` on this thread: for a handler that never
    /// suspends, run by the server on the loop's thread with no task. `body` must not hand work
    /// to other threads or tasks that read ``current`` after it returns (they would not see it).
    func withThreadBinding<T>(_ body: () throws -> T) rethrows -> T {
        let previous = ThreadSlot.value
        ThreadSlot.value = Unmanaged.passUnretained(storage).toOpaque()
        defer { ThreadSlot.value = previous }
        return try body()
    }

    /// The calling thread's slot: an unretained reference to the storage of the call its
    /// synchronous handler serves (the server's context keeps it alive meanwhile), or nil.
    private enum ThreadSlot {
        static let key: pthread_key_t = {
            var key = pthread_key_t()
            let made = pthread_key_create(&key, nil)
            precondition(made == 0, "pthread_key_create failed: \(made)")
            return key
        }()

        static var value: UnsafeMutableRawPointer? {
            get { pthread_getspecific(key) }
            set { pthread_setspecific(key, newValue) }
        }
    }

    private init(storage: Storage) {
        self.storage = storage
    }

    /// A `ServiceContext` holding the call's span and request id, for code that works with
    /// swift-distributed-tracing:
    ///
    /// ```swift
    /// try await ServiceContext.withValue(context.serviceContext) { try await instrumentedWork() }
    /// ```
    public var serviceContext: ServiceContext {
        var serviceContext = ServiceContext.topLevel
        serviceContext.traceContext = trace
        if !requestID.isEmpty { serviceContext.requestID = requestID }
        return serviceContext
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
