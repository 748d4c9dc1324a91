import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Logging
import NIOCore
import NIOPosix
import Testing
import W3CTraceContext

/// A handler registered to answer at once runs inside the read of its request: on the
/// connection's event loop thread and in no task, with the call's trace and request id bound
/// as for any handler, and its errors leave as any handler's do.
@Suite(.timeLimit(.minutes(1)))
struct SynchronousHandlerTests {
    /// What the handler saw where it ran.
    struct Seen: Sendable {
        var inTask: Bool
        var onEventLoop: Bool
        var traceID: String
        var loggedTraceID: String?
        var loggedRequestID: String?
        var loop: (any EventLoop)?
    }

    @Test func answersInsideTheReadInNoTaskWithTheCallsTraceBound() async throws {
        let seen = Recorder<Seen>()
        var router = RPCRouter()
        router.register(
            TestingV1.Echo.echo,
            synchronous: { request, context in
                let logged = Logger.MetadataProvider.chatPanelTrace.get()
                seen.append(
                    Seen(
                        inTask: withUnsafeCurrentTask { $0 != nil }, onEventLoop: MultiThreadedEventLoopGroup.currentEventLoop != nil,
                        traceID: "\(context.trace.traceID)", loggedTraceID: logged["chatpanel.trace_id"].map { "\($0)" },
                        loggedRequestID: logged["chatpanel.rpc.request_id"].map { "\($0)" },
                        loop: MultiThreadedEventLoopGroup.currentEventLoop))
                var response = TestingV1.EchoResponse()
                response.text = request.text.uppercased()
                response.managerID = context.caller.managerID
                return response
            })
        try await withEchoServer(router: router) { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let response = try await client.unary(
                TestingV1.Echo.echo, echoRequest(text: "now"), options: RPCCallOptions(caller: .init(managerID: 8, rights: []), requestID: "req-9"))
            #expect(response.text == "NOW")
            #expect(response.managerID == 8)
            // Many calls on one connection, each answered in its own read.
            for index in 0..<50 {
                #expect(try await client.unary(TestingV1.Echo.echo, echoRequest(text: "c\(index)")).text == "C\(index)")
            }
            await client.close()
        }
        let call = try #require(seen.all.first)
        #expect(!call.inTask)
        #expect(call.onEventLoop)
        #expect(call.loggedTraceID == call.traceID)
        #expect(call.loggedRequestID == "req-9")
        #expect(seen.all.count == 51)
        // The call is bound to the loop's thread only while its handler runs.
        let loop = try #require(call.loop)
        #expect(try await loop.submit { RPCCallContext.current == nil }.get())
    }

    /// The echo service's `EchoNow` (the cost benchmark's synchronous handler) echoes as `Echo`
    /// does, fails on request, and refuses a delay naming the field.
    @Test func theEchoServicesEchoNow() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            var request = echoRequest(text: "сейчас")
            request.body = [0, 1, 2, 255]
            let response = try await client.unary(
                TestingV1.Echo.echoNow, request, options: RPCCallOptions(caller: .init(managerID: 12, rights: [])))
            #expect(response.text == "сейчас" && response.body == [0, 1, 2, 255] && response.managerID == 12)
            for (request, code, field) in [(echoRequest(failCode: 9), RPCError.Code.failedPrecondition, nil), (echoRequest(delayMs: 5), .invalidArgument, "delay_ms")] {
                do {
                    _ = try await client.unary(TestingV1.Echo.echoNow, request)
                    Issue.record("\(request): the call succeeded")
                } catch let error as RPCError {
                    #expect(error.code == code && error.violations.first?.field == field, "\(error)")
                }
            }
            await client.close()
        }
    }

    /// Calls sent together are answered within one read into the connection's buffer of answers,
    /// which is kept for the next read: every call is answered once with its own body, a large
    /// answer among small ones (which grows the buffer past what is kept) included, an error
    /// among them, and a second batch on the same connection gets no answer of the first again.
    @Test func answersOfOneReadEachLeaveOnce() async throws {
        try await withEchoServer { _, socket in
            try await withRawConnection(to: socket) { connection in
                var next: UInt64 = 1
                for batch in 0..<3 {
                    var bytes: [UInt8] = []
                    var expected: [UInt64: [UInt8]] = [:]
                    var failing: Set<UInt64> = []
                    for index in 0..<40 {
                        var request = echoRequest(text: "b\(batch)-\(index)")
                        // One answer of about 200 KiB in the second batch; the rest small.
                        let size = batch == 1 && index == 17 ? 200_000 : index * 13
                        request.body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index &+ batch) }
                        if index == 9 { request.failCode = 5 } // NOT_FOUND, answered as an error
                        let id = next
                        next += 1
                        if index == 9 { failing.insert(id) } else { expected[id] = request.body }
                        bytes += try callFrame(id: id, method: TestingV1.Echo.echoNow.path, payload: request.serializedBytes()).wireBytes()
                    }
                    try await connection.send(bytes)
                    var answered: Set<UInt64> = []
                    for _ in 0..<40 {
                        let response = try await connection.readResponse()
                        #expect(answered.insert(response.callID).inserted, "call \(response.callID) answered twice")
                        if failing.contains(response.callID) {
                            #expect(response.code == .notFound)
                        } else {
                            let body = try TestingV1.EchoResponse(serializedBytes: response.payload).body
                            #expect(response.code == .ok && body == expected[response.callID], "call \(response.callID)")
                        }
                    }
                    #expect(answered.count == 40)
                }
                // Nothing more comes: no answer was written twice.
                await #expect(throws: RawTimeout.self) { _ = try await connection.readResponse(timeout: .milliseconds(300)) }
            }
        }
    }

    @Test func itsErrorsLeaveAsAnyHandlersDo() async throws {
        struct Broken: Error {}
        var router = RPCRouter()
        router.register(
            TestingV1.Echo.echo,
            synchronous: { request, _ in
                if request.text == "missing" { throw RPCError.notFound("no such thing") }
                throw Broken()
            })
        try await withEchoServer(router: router) { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            for (text, code) in [("missing", RPCError.Code.notFound), ("broken", .internal)] {
                do {
                    _ = try await client.unary(TestingV1.Echo.echo, echoRequest(text: text))
                    Issue.record("\(text): the call succeeded")
                } catch let error as RPCError {
                    #expect(error.code == code, "\(text): \(error)")
                }
            }
            #expect(try await client.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest()).status == .serving)
            await client.close()
        }
    }
}
