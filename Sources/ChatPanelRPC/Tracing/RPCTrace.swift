import ChatPanelProto
public import Instrumentation
public import Logging
public import W3CTraceContext

/// Trace context on the wire: each request frame carries the caller's W3C `traceparent`
/// (`RequestFrame.traceparent`), and every call runs in a span of its own in that trace, bound
/// while its handler runs (``RPCCallContext/current``). A call made from inside a handler (the
/// gateway asking a service) carries the handler's span as its parent, so one panel is one trace
/// through every process, and every log line of a call names it (`chatpanel.trace_id`). A
/// trace bound in a ``ServiceContext`` (a tool starting one, or code that works with
/// swift-distributed-tracing) comes first.
///
/// A frame without a `traceparent`, or with a malformed one, starts a new trace where it lands
/// (W3C trace context, "restarting a trace").
///
/// ```swift
/// // Outside any call (a command-line tool): start a trace and make calls in it.
/// try await ServiceContext.withValue(.startingTrace()) {
///     try await client.unary(GatewayV1.Gateway.getPanel, request)
/// }
/// ```
public enum RPCTraceContextKey: ServiceContextKey {
    public typealias Value = TraceContext
    public static var nameOverride: String? { "traceparent" }
}

/// The idempotency key of the call a task serves, for its log lines.
public enum RPCRequestIDKey: ServiceContextKey {
    public typealias Value = String
    public static var nameOverride: String? { "request_id" }
}

extension ServiceContext {
    /// The span the current task works in: a call's own span inside a handler.
    public var traceContext: TraceContext? {
        get { self[RPCTraceContextKey.self] }
        set { self[RPCTraceContextKey.self] = newValue }
    }

    /// The request id of the call the current task serves (nil when it has none).
    public var requestID: String? {
        get { self[RPCRequestIDKey.self] }
        set { self[RPCRequestIDKey.self] = newValue }
    }

    /// A context starting a new, sampled trace with a random trace id and span id.
    public static func startingTrace() -> ServiceContext {
        var context = ServiceContext.topLevel
        context.traceContext = .startingTrace()
        return context
    }
}

extension TraceContext {
    /// The first span of a new, sampled trace, with random ids.
    public static func startingTrace() -> TraceContext {
        var generator = SystemRandomNumberGenerator()
        return TraceContext(traceID: .random(using: &generator), spanID: .random(using: &generator), flags: .sampled, state: TraceState())
    }
}

extension TraceContext {
    /// The `traceparent` of this span (version 00): what `traceParentHeaderValue` gives, written
    /// byte by byte into one string. (That property formats by interpolation: about 10 000
    /// instructions, on every call made from a handler.)
    public var traceparent: String {
        String(unsafeUninitializedCapacity: TraceParentLayout.length) { buffer in
            var at = 0
            func put(_ byte: UInt8) {
                buffer[at] = byte
                at += 1
            }
            func putHex(_ byte: UInt8) {
                put(TraceParentLayout.digits[Int(byte >> 4)])
                put(TraceParentLayout.digits[Int(byte & 0x0F)])
            }
            put(UInt8(ascii: "0"))
            put(UInt8(ascii: "0"))
            put(UInt8(ascii: "-"))
            withUnsafeBytes(of: traceID.bytes) { for byte in $0 { putHex(byte) } }
            put(UInt8(ascii: "-"))
            withUnsafeBytes(of: spanID.bytes) { for byte in $0 { putHex(byte) } }
            put(UInt8(ascii: "-"))
            putHex(flags.rawValue)
            return at
        }
    }

    /// The span a `traceparent` names, or nil when it is malformed: exactly what
    /// `init(traceParentHeaderValue:)` accepts (version 00, 55 bytes, lowercase hex, a trace id
    /// and a span id that are not all zeros), read in place without a copy or an error value.
    public init?(traceparent: String) {
        var text = traceparent
        let parsed: (TraceID.Bytes, SpanID.Bytes, UInt8)? = text.withUTF8 { bytes in
            guard bytes.count == TraceParentLayout.length, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0"),
                bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-")
            else { return nil }
            var trace = TraceID.null.bytes
            var span = SpanID.null.bytes
            let traceOK = withUnsafeMutableBytes(of: &trace) { TraceParentLayout.decode(bytes, from: 3, into: $0) }
            let spanOK = withUnsafeMutableBytes(of: &span) { TraceParentLayout.decode(bytes, from: 36, into: $0) }
            guard traceOK, spanOK, let flags = TraceParentLayout.byte(bytes[53], bytes[54]) else { return nil }
            return (trace, span, flags)
        }
        guard let (trace, span, flags) = parsed else { return nil }
        let traceID = TraceID(bytes: trace)
        let spanID = SpanID(bytes: span)
        guard traceID != .null, spanID != .null else { return nil }
        self.init(traceID: traceID, spanID: spanID, flags: TraceFlags(rawValue: flags), state: TraceState())
    }
}

/// Where the parts of a version-00 `traceparent` sit: `00-` 32 hex digits `-` 16 hex digits `-` 2.
private enum TraceParentLayout {
    static let length = 55
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The value of one lowercase hex digit.
    static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit &- UInt8(ascii: "a") &+ 10
        default: nil
        }
    }

    static func byte(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard let high = nibble(high), let low = nibble(low) else { return nil }
        return high << 4 | low
    }

    /// Decodes `target.count` bytes from the hex digits starting at `start`.
    static func decode(_ text: UnsafeBufferPointer<UInt8>, from start: Int, into target: UnsafeMutableRawBufferPointer) -> Bool {
        for index in 0..<target.count {
            guard let value = byte(text[start + 2 * index], text[start + 2 * index + 1]) else { return false }
            target[index] = value
        }
        return true
    }
}

/// The span ids a server makes for its calls: from a ``SplitMix64`` seeded once per connection,
/// so that a call costs no `getrandom` system call.
struct SpanIDGenerator {
    private var random = SplitMix64()

    /// The span of a call that arrived with `frame`: a new span in the caller's trace, or the
    /// first span of a new trace when the frame carries none (or a malformed one).
    mutating func span(for frame: RPCV1.RequestFrame) -> (span: TraceContext, parent: SpanID?) {
        // The caller's span, read straight from the frame's `traceparent`.
        let spanID = SpanID.random(using: &random)
        if !frame.traceparent.isEmpty, let parent = TraceContext(traceparent: frame.traceparent) {
            return (TraceContext(traceID: parent.traceID, spanID: spanID, flags: parent.flags, state: parent.state), parent.spanID)
        }
        return (TraceContext(traceID: .random(using: &random), spanID: spanID, flags: .sampled, state: TraceState()), nil)
    }
}

extension Logger.MetadataProvider {
    /// The trace of the call the logging task serves: `chatpanel.trace_id` and
    /// `chatpanel.span_id` (and `chatpanel.rpc.request_id` when the call has one), so that
    /// `journalctl -g TRACE_ID` follows one panel through every process.
    public static let chatPanelTrace = Logger.MetadataProvider {
        let trace: TraceContext
        let requestID: String?
        if let context = ServiceContext.current, let bound = context.traceContext {
            (trace, requestID) = (bound, context.requestID)
        } else if let call = RPCCallContext.current {
            (trace, requestID) = (call.trace, call.requestID.isEmpty ? nil : call.requestID)
        } else {
            return [:]
        }
        var metadata: Logger.Metadata = ["chatpanel.trace_id": "\(trace.traceID)", "chatpanel.span_id": "\(trace.spanID)"]
        if let requestID { metadata["chatpanel.rpc.request_id"] = "\(requestID)" }
        return metadata
    }
}
