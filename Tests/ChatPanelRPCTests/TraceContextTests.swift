import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Instrumentation
import Logging
import Testing
import W3CTraceContext

/// W3C trace context through the wire: a call continues its caller's trace in a span of its
/// own, a call made inside a handler carries the handler's span as its parent, and a frame
/// without (or with a malformed) `traceparent` starts a new trace.
@Suite(.timeLimit(.minutes(1)))
struct TraceContextTests {
    /// What a handler saw of its call's trace.
    struct Seen: Sendable, Equatable {
        var traceID: String
        var spanID: String
        var parentSpanID: String?
        /// What the log metadata provider gives inside the handler.
        var loggedTraceID: String?
        var loggedRequestID: String?
    }

    /// A router whose echo records the trace it ran in, then (when `next` is set) calls `next`.
    static func recordingRouter(_ recorder: Recorder<Seen>, next: RPCClient? = nil) -> RPCRouter {
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { request, context in
            let logged = Logger.MetadataProvider.chatPanelTrace.get()
            recorder.append(
                Seen(
                    traceID: "\(context.trace.traceID)", spanID: "\(context.trace.spanID)",
                    parentSpanID: context.parentSpanID.map { "\($0)" }, loggedTraceID: logged["chatpanel.trace_id"].map { "\($0)" },
                    loggedRequestID: logged["chatpanel.rpc.request_id"].map { "\($0)" }))
            if let next { _ = try await next.unary(TestingV1.Echo.echo, request) }
            var response = TestingV1.EchoResponse()
            response.text = request.text
            return response
        }
        return router
    }

    @Test func aCallContinuesItsCallersTraceAndPassesItsOwnSpanOn() async throws {
        let back = Recorder<Seen>()
        let front = Recorder<Seen>()
        try await withEchoServer(router: Self.recordingRouter(back)) { _, backSocket in
            let backClient = RPCClient(configuration: .init(socketPath: backSocket))
            try await withEchoServer(router: Self.recordingRouter(front, next: backClient)) { _, frontSocket in
                let client = RPCClient(configuration: .init(socketPath: frontSocket))
                let started = try TraceContext(traceParentHeaderValue: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                var serviceContext = ServiceContext.topLevel
                serviceContext.traceContext = started
                _ = try await ServiceContext.withValue(serviceContext) {
                    try await client.unary(TestingV1.Echo.echo, echoRequest(text: "traced"), options: RPCCallOptions(requestID: "req-7"))
                }
                await client.close()
            }
            await backClient.close()
        }
        let frontSeen = try #require(front.all.first)
        let backSeen = try #require(back.all.first)
        #expect(frontSeen.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(frontSeen.parentSpanID == "00f067aa0ba902b7", "the caller's span is the parent")
        #expect(frontSeen.spanID != "00f067aa0ba902b7", "the call runs in a span of its own")
        #expect(frontSeen.loggedTraceID == frontSeen.traceID, "log lines of the call name its trace")
        #expect(frontSeen.loggedRequestID == "req-7", "and its request id")
        #expect(backSeen.traceID == frontSeen.traceID, "the nested call stays in the trace")
        #expect(backSeen.parentSpanID == frontSeen.spanID, "the nested call's parent is the handler's span")
        #expect(backSeen.spanID != frontSeen.spanID)
    }

    @Test(arguments: ["", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "garbage", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
    func aFrameWithoutAValidTraceparentStartsANewTrace(traceparent: String) async throws {
        let seen = Recorder<Seen>()
        try await withEchoServer(router: Self.recordingRouter(seen)) { _, socket in
            try await withRawConnection(to: socket) { raw in
                var frame = try echoCallFrame(id: 1, echoRequest(text: "untraced"))
                frame.traceparent = traceparent
                try await raw.send(try frame.wireBytes())
                let response = try await raw.readResponse()
                #expect(response.code == .ok, "a bad traceparent is not an error")
            }
        }
        let call = try #require(seen.all.first)
        #expect(call.parentSpanID == nil)
        #expect(call.traceID.count == 32 && call.traceID != "00000000000000000000000000000000")
        #expect(call.traceID != "4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test func aTraceAHandlerBindsItselfComesFirstAndTheCallsServiceContextCarriesItsSpan() async throws {
        let back = Recorder<Seen>()
        let handed = Recorder<String>()
        let own = try TraceContext(traceParentHeaderValue: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        try await withEchoServer(router: Self.recordingRouter(back)) { _, backSocket in
            let backClient = RPCClient(configuration: .init(socketPath: backSocket))
            var router = RPCRouter()
            router.register(TestingV1.Echo.echo) { request, context in
                // The call's ServiceContext, for swift-distributed-tracing: its span and request id.
                let serviceContext = context.serviceContext
                handed.append("\(serviceContext.traceContext.map { "\($0.spanID)" } ?? "none") \(serviceContext.requestID ?? "none")")
                handed.append("\(context.trace.spanID) \(context.requestID)")
                // A trace the handler binds itself is the one its calls carry.
                var bound = ServiceContext.topLevel
                bound.traceContext = own
                _ = try await ServiceContext.withValue(bound) { try await backClient.unary(TestingV1.Echo.echo, request) }
                return TestingV1.EchoResponse()
            }
            try await withEchoServer(router: router) { _, frontSocket in
                let client = RPCClient(configuration: .init(socketPath: frontSocket))
                _ = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "own"), options: RPCCallOptions(requestID: "req-9"))
                await client.close()
            }
            await backClient.close()
        }
        let pair = handed.all
        #expect(pair.count == 2 && pair[0] == pair[1], "the ServiceContext carries the call's span and request id")
        #expect(pair.first?.hasSuffix(" req-9") == true)
        let backSeen = try #require(back.all.first)
        #expect(backSeen.traceID == "0af7651916cd43dd8448eb211c80319c")
        #expect(backSeen.parentSpanID == "b7ad6b7169203331")
    }

    @Test func callsWithoutATraceGetDistinctTraces() async throws {
        let seen = Recorder<Seen>()
        try await withEchoServer(router: Self.recordingRouter(seen)) { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            for _ in 0..<3 { _ = try await client.unary(TestingV1.Echo.echo, echoRequest()) }
            await client.close()
        }
        #expect(Set(seen.all.map(\.traceID)).count == 3)
        #expect(Set(seen.all.map(\.spanID)).count == 3)
    }
}
