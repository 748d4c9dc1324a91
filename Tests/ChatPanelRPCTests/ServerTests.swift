import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import EchoService
import Foundation
import Logging
import Synchronization
import Testing

/// The server over a live socket: multiplexed calls answered out of order, deadlines, the
/// status codes for unknown methods, bad payloads and unexpected errors, the in-flight cap,
/// server streaming and its cancellation, graceful drain, and the health check.
@Suite(.timeLimit(.minutes(1)))
struct ServerTests {
    // MARK: Multiplexing

    @Test func callsOnOneConnectionAreAnsweredOutOfOrder() async throws {
        try await withEchoServer { _, socket in
            try await withRawConnection(to: socket) { raw in
                try await raw.send(
                    try echoCallFrame(id: 1, echoRequest(text: "slow", delayMs: 500)).wireBytes()
                        + echoCallFrame(id: 2, echoRequest(text: "fast")).wireBytes())
                let first = try await raw.readResponse()
                let second = try await raw.readResponse()
                #expect(first.callID == 2, "the fast call waited behind the slow one")
                #expect(second.callID == 1)
                #expect(try TestingV1.EchoResponse(serializedBytes: first.payload).text == "fast")
                #expect(try TestingV1.EchoResponse(serializedBytes: second.payload).text == "slow")
                #expect(first.code == .ok && second.code == .ok)
                #expect(first.endOfStream && second.endOfStream)
            }
        }
    }

    @Test func concurrentClientCallsCompleteInTheOrderTheyFinish() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let order = Recorder<String>()
            // Connected first, and the slow call slow enough that a loaded machine still answers
            // the fast one before it.
            _ = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "connect"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let response = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "slow", delayMs: 3000))
                    order.append(response.text)
                }
                group.addTask {
                    // Start second, so that the slow call is surely sent first.
                    try await Task.sleep(for: .milliseconds(50))
                    let response = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "fast"))
                    order.append(response.text)
                }
                try await group.waitForAll()
            }
            #expect(order.all == ["fast", "slow"])
            await client.close()
        }
    }

    @Test func manyConcurrentCallsOnOneClientGetTheirOwnAnswers() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let response = try await client.unary(
                            TestingV1.Echo.echo, echoRequest(text: "call \(index)", delayMs: UInt32(index % 5) * 10))
                        return (index, response.text)
                    }
                }
                var all: [Int: String] = [:]
                for try await (index, text) in group { all[index] = text }
                return all
            }
            #expect(results.count == 50)
            for (index, text) in results { #expect(text == "call \(index)") }
            await client.close()
        }
    }

    // MARK: Deadlines

    @Test func deadlinePassesWhileHandlerSleeps() async throws {
        try await withEchoServer { server, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let (error, elapsed) = await measure {
                await callError {
                    try await client.unary(TestingV1.Echo.echo, echoRequest(delayMs: 10_000), options: .init(timeout: .milliseconds(200)))
                }
            }
            #expect((error as? RPCError)?.code == .deadlineExceeded)
            // Far below the handler's 10 s, with room for a busy machine.
            #expect(elapsed < .milliseconds(200) + .seconds(4))
            #expect(await eventually { server.callsInFlight == 0 })
            await client.close()
        }
    }

    @Test func serverAnswersDeadlineExceededAndCancelsTheHandler() async throws {
        let cancelled = Recorder<Bool>()
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { _, _ in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.append(error is CancellationError)
                throw error
            }
            return TestingV1.EchoResponse()
        }
        try await withEchoServer(router: router) { server, socket in
            try await withRawConnection(to: socket) { raw in
                // The raw connection has no client-side timer: the answer is the server's own.
                try await raw.send(try echoCallFrame(id: 9, echoRequest(), timeoutMs: 200))
                // Bounds far from the handler's 30 s, with room for a machine running every suite.
                let (response, elapsed) = try await measure { try await raw.readResponse(timeout: .seconds(10)) }
                #expect(response.callID == 9)
                #expect(response.code == .deadlineExceeded)
                #expect(response.endOfStream)
                #expect(elapsed < .milliseconds(200) + .seconds(8))
                #expect(await eventually { cancelled.all == [true] }, "the handler task was not cancelled")
                #expect(server.callsInFlight == 0)
                // No second answer for the call once the handler gives up.
                await #expect(throws: RawTimeout.self) { _ = try await raw.readFrame(timeout: .milliseconds(300)) }
            }
        }
    }

    // MARK: Status codes

    @Test func unknownMethodIsUnimplemented() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(path: "/chatpanel.testing.v1.Echo/NoSuchMethod", payload: [])
            }
            #expect(error?.code == .unimplemented)
            #expect(error?.message.contains("NoSuchMethod") == true)
            // The connection stays usable.
            let answer = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "ok"))
            #expect(answer.text == "ok")
            await client.close()
        }
    }

    @Test func invalidUTF8InAStringFieldIsInvalidArgumentNamingTheField() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            // EchoRequest.text (field 2, length-delimited) holding bytes that are not UTF-8.
            let payload: [UInt8] = [0x12, 0x03, 0x61, 0xFF, 0xFE]
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(path: TestingV1.Echo.echo.path, payload: payload)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.violations.map(\.field) == ["text"])
            #expect(error?.violations.first?.description.isEmpty == false)
            await client.close()
        }
    }

    @Test func malformedPayloadIsInvalidArgument() async throws {
        try await withEchoServer { _, socket in
            try await withRawConnection(to: socket) { raw in
                // Field 1 (bytes) announcing 100 bytes that never come.
                try await raw.send(callFrame(id: 4, payload: [0x0A, 0x64, 0x01]))
                let response = try await raw.readResponse()
                #expect(response.callID == 4)
                #expect(response.code == .invalidArgument)
                #expect(response.payload.isEmpty)
                // The connection is still served.
                try await raw.send(try echoCallFrame(id: 5, echoRequest(text: "next")))
                let next = try await raw.readResponse()
                #expect(next.callID == 5 && next.code == .ok)
            }
        }
    }

    @Test func failCodeInternalIsPassedThrough() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestingV1.Echo.echo, echoRequest(failCode: 13))
            }
            #expect(error?.code == .internal)
            // Other codes a handler throws keep their code too.
            let notFound = await #expect(throws: RPCError.self) {
                try await client.unary(TestingV1.Echo.echo, echoRequest(failCode: 5))
            }
            #expect(notFound?.code == .notFound)
            await client.close()
        }
    }

    private struct SecretFailure: Error, CustomStringConvertible {
        var description: String { "database password is hunter2" }
    }

    private struct DomainFailure: RPCErrorConvertible {
        var rpcError: RPCError { .failedPrecondition("domain says no") }
    }

    @Test func arbitraryThrownErrorBecomesInternalWithAGenericMessage() async throws {
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { request, _ in
            if request.text == "domain" { throw DomainFailure() }
            throw SecretFailure()
        }
        try await withEchoServer(router: router) { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestingV1.Echo.echo, echoRequest(text: "anything"))
            }
            #expect(error?.code == .internal)
            #expect(error?.message == "internal error")
            #expect(error?.description.contains("hunter2") == false)
            // A domain error that knows its wire form keeps it.
            let domain = await #expect(throws: RPCError.self) {
                try await client.unary(TestingV1.Echo.echo, echoRequest(text: "domain"))
            }
            #expect(domain?.code == .failedPrecondition)
            #expect(domain?.message == "domain says no")
            await client.close()
        }
    }

    @Test func duplicateCallIDInFlightIsRejected() async throws {
        try await withEchoServer { _, socket in
            try await withRawConnection(to: socket) { raw in
                try await raw.send(
                    try echoCallFrame(id: 1, echoRequest(text: "first", delayMs: 300)).wireBytes()
                        + echoCallFrame(id: 1, echoRequest(text: "second")).wireBytes())
                let rejection = try await raw.readResponse()
                #expect(rejection.callID == 1)
                #expect(rejection.code == .invalidArgument)
                let first = try await raw.readResponse()
                #expect(first.code == .ok)
                #expect(try TestingV1.EchoResponse(serializedBytes: first.payload).text == "first")
            }
        }
    }

    // MARK: In-flight cap

    @Test func callsBeyondTheInFlightCapWaitInsteadOfBeingRefused() async throws {
        // A client pipelines 300 calls in one write against a cap of 4: every call is answered
        // OK, and the handler never runs more than 4 at once.
        let gauge = ConcurrencyGauge()
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { request, _ in
            gauge.enter()
            defer { gauge.leave() }
            try await Task.sleep(for: .milliseconds(2))
            var response = TestingV1.EchoResponse()
            response.text = request.text
            return response
        }
        try await withEchoServer(router: router, configure: { $0.maximumCallsInFlightPerConnection = 4 }) { server, socket in
            try await withRawConnection(to: socket) { raw in
                var bytes: [UInt8] = []
                for id in 1...300 { bytes += try echoCallFrame(id: UInt64(id), echoRequest(text: "c\(id)")).wireBytes() }
                try await raw.send(bytes)
                var answered: [UInt64: String] = [:]
                for _ in 1...300 {
                    let response = try await raw.readResponse(timeout: .seconds(20))
                    #expect(response.code == .ok, "call \(response.callID): \(String(describing: response.status))")
                    answered[response.callID] = try TestingV1.EchoResponse(serializedBytes: response.payload).text
                }
                #expect(answered.count == 300)
                #expect(answered[300] == "c300")
            }
            #expect(gauge.peak <= 4)
            #expect(gauge.peak >= 2)
            #expect(await eventually { server.callsInFlight == 0 })
        }
    }

    @Test func aWaitingCallWhoseDeadlinePassedIsAnsweredWithoutRunning() async throws {
        try await withEchoServer(configure: { $0.maximumCallsInFlightPerConnection = 1 }) { _, socket in
            try await withRawConnection(to: socket) { raw in
                // Call 1 holds the only slot for 600 ms; call 2 may wait only 200 ms; call 3 has time.
                try await raw.send(
                    try echoCallFrame(id: 1, echoRequest(text: "slow", delayMs: 600)).wireBytes()
                        + echoCallFrame(id: 2, echoRequest(text: "hurried"), timeoutMs: 200).wireBytes()
                        + echoCallFrame(id: 3, echoRequest(text: "patient"), timeoutMs: 10_000).wireBytes())
                var codes: [UInt64: RPCError.Code] = [:]
                var messages: [UInt64: String] = [:]
                for _ in 1...3 {
                    let response = try await raw.readResponse()
                    codes[response.callID] = response.code
                    messages[response.callID] = response.status?.message ?? ""
                }
                #expect(codes == [1: .ok, 2: .deadlineExceeded, 3: .ok])
                #expect(messages[2]?.contains("waited") == true, "\(messages)")
            }
        }
    }

    @Test func aCancelledWaitingCallIsDroppedUnanswered() async throws {
        try await withEchoServer(configure: { $0.maximumCallsInFlightPerConnection = 1 }) { _, socket in
            try await withRawConnection(to: socket) { raw in
                var cancel = RPCV1.RequestFrame()
                cancel.callID = 2
                cancel.kind = .cancel
                try await raw.send(
                    try echoCallFrame(id: 1, echoRequest(text: "holder", delayMs: 300)).wireBytes()
                        + echoCallFrame(id: 2, echoRequest(text: "dropped")).wireBytes()
                        + cancel.wireBytes()
                        + echoCallFrame(id: 3, echoRequest(text: "kept")).wireBytes())
                let first = try await raw.readResponse()
                let second = try await raw.readResponse()
                #expect([first.callID, second.callID] == [1, 3])
                // Nothing more comes: the cancelled call was never run nor answered.
                await #expect(throws: RawTimeout.self) { try await raw.readFrame(timeout: .milliseconds(400)) }
            }
        }
    }

    @Test func inFlightCapCountsPerConnection() async throws {
        try await withEchoServer(configure: { $0.maximumCallsInFlightPerConnection = 1 }) { _, socket in
            try await withRawConnection(to: socket) { a in
                try await withRawConnection(to: socket) { b in
                    try await a.send(try echoCallFrame(id: 1, echoRequest(delayMs: 300)))
                    try await b.send(try echoCallFrame(id: 1, echoRequest(delayMs: 300)))
                    #expect(try await a.readResponse().code == .ok)
                    #expect(try await b.readResponse().code == .ok)
                }
            }
        }
    }

    // MARK: Streaming

    @Test func serverStreamSendsCountMessagesThenEnds() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            var indexes: [UInt32] = []
            for try await message in client.serverStreaming(
                TestingV1.Echo.stream, echoRequest(text: "tick", count: 5), options: .init(caller: .init(managerID: 11, rights: [])))
            {
                #expect(message.text == "tick")
                #expect(message.managerID == 11)
                indexes.append(message.index)
            }
            #expect(indexes == [0, 1, 2, 3, 4])
            await client.close()
        }
    }

    @Test func serverStreamFramesOnTheWire() async throws {
        try await withEchoServer { _, socket in
            try await withRawConnection(to: socket) { raw in
                try await raw.send(callFrame(id: 3, method: TestingV1.Echo.stream.path, payload: try echoRequest(count: 3).serializedBytes()))
                for index in 0..<3 {
                    let frame = try await raw.readResponse()
                    #expect(frame.callID == 3)
                    #expect(!frame.endOfStream)
                    #expect(frame.code == .ok)
                    #expect(try TestingV1.EchoResponse(serializedBytes: frame.payload).index == UInt32(index))
                }
                let end = try await raw.readResponse()
                #expect(end.callID == 3)
                #expect(end.endOfStream)
                #expect(end.code == .ok)
                #expect(end.payload.isEmpty)
            }
        }
    }

    @Test func emptyStreamJustEnds() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            var received = 0
            for try await _ in client.serverStreaming(TestingV1.Echo.stream, echoRequest(count: 0)) { received += 1 }
            #expect(received == 0)
            await client.close()
        }
    }

    @Test func streamThatFailsAfterMessagesDeliversThemThenThrows() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            var received = 0
            let error = await #expect(throws: RPCError.self) {
                for try await _ in client.serverStreaming(TestingV1.Echo.stream, echoRequest(failCode: 9, count: 2)) { received += 1 }
            }
            #expect(received == 2)
            #expect(error?.code == .failedPrecondition)
            await client.close()
        }
    }

    @Test func aSubscriptionWithoutADeadlineLastsUpToTheSubscriptionCap() async throws {
        // Each method answers with the seconds its deadline leaves.
        var router = RPCRouter()
        router.register(TestingV1.Echo.stream, isSubscription: true) { _, writer, context in
            var response = TestingV1.EchoResponse()
            response.index = UInt32((context.deadline - ContinuousClock.now).components.seconds)
            try await writer.send(response)
        }
        router.register(TestingV1.Echo.echo) { _, context in
            var response = TestingV1.EchoResponse()
            response.index = UInt32((context.deadline - ContinuousClock.now).components.seconds)
            return response
        }
        try await withEchoServer(router: router) { _, socket in
            try await withRawConnection(to: socket) { raw in
                try await raw.send(callFrame(id: 1, method: TestingV1.Echo.stream.path, payload: [], timeoutMs: 0))
                let left = try TestingV1.EchoResponse(serializedBytes: try await raw.readResponse().payload).index
                #expect(left > 86_000, "a subscription naming no deadline got \(left) s")
                // A unary call naming none still gets the default 30 s.
                try await raw.send(callFrame(id: 2, payload: [], timeoutMs: 0))
                var answer = try await raw.readResponse()
                while answer.callID != 2 { answer = try await raw.readResponse() }
                #expect(try TestingV1.EchoResponse(serializedBytes: answer.payload).index <= 30)
            }
        }
    }

    @Test func aConnectionClosedUnderAStreamEndsItAsCancelledNotAsAFault() async throws {
        let logged = Recorder<String>()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(messages: logged) }
        try await withEchoServer(logger: logger) { server, socket in
            // Streams that write as fast as they can, each cut by its connection closing under it:
            // a write under way when the connection goes fails in the socket, not in the handler.
            for round in 0..<20 {
                let raw = try await RawConnection.connect(to: socket)
                try await raw.send(
                    callFrame(id: 1, method: TestingV1.Echo.stream.path, payload: try echoRequest(text: "tick", count: 1_000_000).serializedBytes()))
                _ = try await raw.readResponse()
                await raw.close()
                #expect(await eventually { server.callsInFlight == 0 }, "round \(round): the stream kept running")
            }
        }
        #expect(!logged.all.contains { $0.contains("rpc.handler.failed") }, "\(logged.all.prefix(3))")
    }

    @Test func clientLeavingAStreamCancelsItOnTheServer() async throws {
        try await withEchoServer { server, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            var received = 0
            // Left alone, this stream would run for 20 s.
            for try await _ in client.serverStreaming(TestingV1.Echo.stream, echoRequest(delayMs: 20, count: 1000)) {
                received += 1
                if received == 3 { break }
            }
            #expect(received == 3)
            #expect(await eventually { server.callsInFlight == 0 }, "the stream kept running after the client left")
            // The connection still serves calls.
            #expect(try await client.unary(TestingV1.Echo.echo, echoRequest(text: "after")).text == "after")
            await client.close()
        }
    }

    @Test func cancelFrameStopsACallWithoutAnAnswer() async throws {
        try await withEchoServer { server, socket in
            try await withRawConnection(to: socket) { raw in
                try await raw.send(try echoCallFrame(id: 21, echoRequest(delayMs: 5000)))
                #expect(await eventually { server.callsInFlight == 1 })
                var cancel = RPCV1.RequestFrame()
                cancel.callID = 21
                cancel.kind = .cancel
                try await raw.send(cancel)
                #expect(await eventually { server.callsInFlight == 0 })
                await #expect(throws: RawTimeout.self) { _ = try await raw.readFrame(timeout: .milliseconds(300)) }
                // Cancelling an unknown call is harmless.
                cancel.callID = 999
                try await raw.send(cancel)
                try await raw.send(try echoCallFrame(id: 22, echoRequest(text: "alive")))
                #expect(try await raw.readResponse().callID == 22)
            }
        }
    }

    @Test func closingTheConnectionCancelsItsCalls() async throws {
        try await withEchoServer { server, socket in
            try await withRawConnection(to: socket) { raw in
                try await raw.send(
                    try echoCallFrame(id: 1, echoRequest(delayMs: 5000)).wireBytes()
                        + echoCallFrame(id: 2, echoRequest(delayMs: 5000)).wireBytes())
                #expect(await eventually { server.callsInFlight == 2 })
            }
            #expect(await eventually { server.callsInFlight == 0 })
            #expect(await eventually { server.connectionCount == 0 })
        }
    }

    // MARK: Graceful shutdown

    @Test func gracefulShutdownFinishesCallsInFlightAndRefusesNewConnections() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/drain.sock"
            let running = try await RunningServer.start(socket: socket)
            let client = RPCClient(configuration: .init(socketPath: socket))
            let inFlight = Task {
                try await client.unary(TestingV1.Echo.echo, echoRequest(text: "finishing", delayMs: 3000))
            }
            #expect(await eventually { running.server.callsInFlight == 1 })
            running.server.beginGracefulShutdown()

            // The listener goes away (its socket file is removed) while the call is still running.
            #expect(await eventually { !FileManager.default.fileExists(atPath: socket) })
            let newcomer = RPCClient(configuration: .init(socketPath: socket))
            let refused = await #expect(throws: RPCError.self) {
                try await newcomer.unary(TestingV1.Echo.echo, echoRequest(text: "too late"))
            }
            #expect(refused?.code == .unavailable)
            await #expect(throws: (any Error).self) { _ = try await RawConnection.connect(to: socket) }

            let response = try await inFlight.value
            #expect(response.text == "finishing")
            await running.stop()
            #expect(running.server.connectionCount == 0)
            await client.close()
            await newcomer.close()
        }
    }

    @Test func newCallOnADrainingConnectionIsUnavailable() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/drain.sock"
            // The old call outlasts the steps below by far even on a loaded machine, and the
            // grace period outlasts the call.
            let running = try await RunningServer.start(socket: socket) { $0.shutdownGracePeriod = .seconds(30) }
            try await withRawConnection(to: socket) { raw in
                try await raw.send(try echoCallFrame(id: 1, echoRequest(text: "old", delayMs: 6000), timeoutMs: 30_000))
                #expect(await eventually { running.server.callsInFlight == 1 })
                running.server.beginGracefulShutdown()
                #expect(await eventually { !FileManager.default.fileExists(atPath: socket) })
                // The drain event follows the unlink at once; leave it ample time to arrive.
                try await Task.sleep(for: .milliseconds(300))
                try await raw.send(try echoCallFrame(id: 2, echoRequest(text: "new")))
                let refused = try await raw.readResponse()
                #expect(refused.callID == 2)
                #expect(refused.code == .unavailable)
                let finished = try await raw.readResponse(timeout: .seconds(20))
                #expect(finished.callID == 1)
                #expect(finished.code == .ok)
                // Drained: the server closes the connection once its last call is answered.
                #expect(await raw.waitForClose(timeout: .seconds(3)))
            }
            await running.stop()
        }
    }

    @Test func drainClosesConnectionsThatOutliveTheGracePeriod() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/grace.sock"
            let running = try await RunningServer.start(socket: socket) { $0.shutdownGracePeriod = .milliseconds(200) }
            let client = RPCClient(configuration: .init(socketPath: socket))
            let stuck = Task { try await client.unary(TestingV1.Echo.echo, echoRequest(delayMs: 20_000), options: .init(timeout: .seconds(30))) }
            #expect(await eventually { running.server.callsInFlight == 1 })
            let (_, elapsed) = await measure { await running.stop() }
            #expect(elapsed < .milliseconds(200) + .seconds(3))
            let error = await callError { try await stuck.value }
            #expect((error as? RPCError)?.code == .unavailable)
            await client.close()
        }
    }

    // MARK: Health

    @Test func healthCheckAnswersServing() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let health = try await client.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest())
            #expect(health.status == .serving)
            #expect(health.process == "echo")
            #expect(health.version == ChatPanelVersion.current)
            #expect(health.callsInFlight == 0)
            var request = HealthV1.HealthCheckRequest()
            request.service = "no-such-component"
            #expect(try await client.unary(HealthV1.Health.check, request).status == .serviceUnknown)
            await client.close()
        }
    }

    @Test func healthCheckCountsOtherCallsInFlight() async throws {
        try await withEchoServer { server, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let slow = Task { try await client.unary(TestingV1.Echo.echo, echoRequest(delayMs: 5000), options: .init(timeout: .seconds(30))) }
            #expect(await eventually { server.callsInFlight == 1 })
            let health = try await client.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest())
            #expect(health.callsInFlight == 1)
            _ = try await slow.value
            await client.close()
        }
    }
}
