import ChatPanelProto
import ChatPanelRPC
import ChatPanelSystem
import ChatPanelTesting
import EchoService
import Foundation
import Synchronization
import Testing

/// What a process does when asked for more than it serves at once: a client queues calls above
/// its own cap (and refuses only beyond its queue), a server closes connections above its
/// connection cap at once, and a peer may call only the method groups its allow-list entry
/// grants.
@Suite(.timeLimit(.minutes(1)))
struct LimitsTests {
    /// An echo router whose handler records how many calls run at once.
    private static func countingRouter(_ gauge: ConcurrencyGauge, sleep: Duration) -> RPCRouter {
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { request, _ in
            gauge.enter()
            defer { gauge.leave() }
            try await Task.sleep(for: sleep)
            var response = TestingV1.EchoResponse()
            response.text = request.text
            return response
        }
        return router
    }

    // MARK: The client's queue

    /// A client with the given caps against a counting echo server whose calls take `sleep`.
    private func withCappedClient(
        inFlight: Int, queued: Int = 4096, sleep: Duration, _ body: (RPCClient, ConcurrencyGauge) async throws -> Void
    ) async throws {
        let gauge = ConcurrencyGauge()
        try await withEchoServer(router: Self.countingRouter(gauge, sleep: sleep)) { _, socket in
            var configuration = RPCClientConfiguration(socketPath: socket)
            // Queued calls' deadlines run while they wait: room for a loaded machine.
            configuration.defaultCallTimeout = .seconds(60)
            configuration.maximumCallsInFlight = inFlight
            configuration.maximumQueuedCalls = queued
            let client = RPCClient(configuration: configuration)
            try await body(client, gauge)
            await client.close()
        }
    }

    @Test func aClientQueuesCallsAboveItsCapAndAllSucceed() async throws {
        try await withCappedClient(inFlight: 3, sleep: .milliseconds(5)) { client, gauge in
            let texts = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<90 {
                    group.addTask { try await client.unary(TestingV1.Echo.echo, echoRequest(text: "\(index)")).text }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(texts.count == 90)
            #expect(gauge.peak <= 3)
        }
    }

    @Test func aCallBeyondTheClientsQueueIsResourceExhaustedAndTheOthersGoOn() async throws {
        try await withCappedClient(inFlight: 1, queued: 2, sleep: .milliseconds(300)) { client, _ in
            _ = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "connect"))
            let outcomes = await withTaskGroup(of: RPCError.Code.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        do {
                            _ = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "\(index)"))
                            return .ok
                        } catch let error as RPCError {
                            return error.code
                        } catch {
                            return .unknown
                        }
                    }
                }
                return await group.reduce(into: [RPCError.Code]()) { $0.append($1) }
            }
            // One in flight, two waiting, the fourth refused.
            #expect(outcomes.filter { $0 == .ok }.count == 3, "\(outcomes)")
            #expect(outcomes.filter { $0 == .resourceExhausted }.count == 1, "\(outcomes)")
        }
    }

    @Test func aQueuedCallWhoseDeadlinePassesNeverReachesTheServer() async throws {
        let started = ConcurrencyGauge()
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { request, _ in
            started.enter()
            try await Task.sleep(for: .milliseconds(Int(request.delayMs)))
            return TestingV1.EchoResponse()
        }
        try await withEchoServer(router: router) { _, socket in
            var configuration = RPCClientConfiguration(socketPath: socket)
            configuration.maximumCallsInFlight = 1
            let client = RPCClient(configuration: configuration)
            async let holder = client.unary(TestingV1.Echo.echo, echoRequest(text: "holder", delayMs: 3000))
            #expect(await eventually { started.entered == 1 })
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestingV1.Echo.echo, echoRequest(text: "late"), options: .init(timeout: .milliseconds(200)))
            }
            #expect(error?.code == .deadlineExceeded)
            _ = try await holder
            // The late call was given up on before it was sent: the server only saw the holder.
            try await Task.sleep(for: .milliseconds(100))
            #expect(started.entered == 1)
            // And the slot it would have taken is free again.
            _ = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "after"))
            #expect(started.entered == 2)
            await client.close()
        }
    }

    // MARK: The connection cap

    @Test func connectionsAboveTheCapAreClosedAtOnceAndTheOthersServe() async throws {
        try await withEchoServer(configure: { $0.maximumConnections = 3 }) { server, socket in
            var open: [RawConnection] = []
            for index in 1...3 {
                let raw = try await RawConnection.connect(to: socket)
                try await raw.send(try echoCallFrame(id: 1, echoRequest(text: "c\(index)")))
                #expect(try await raw.readResponse().code == .ok)
                open.append(raw)
            }
            let extra = try await RawConnection.connect(to: socket)
            try? await extra.send(try echoCallFrame(id: 1, echoRequest(text: "one too many")))
            #expect(await extra.waitForClose(timeout: .seconds(5)), "a connection above the cap was served")
            // The three below the cap still serve.
            for raw in open {
                try await raw.send(try echoCallFrame(id: 2, echoRequest(text: "still here")))
                #expect(try await raw.readResponse().code == .ok)
            }
            // Once one closes there is room again.
            await open.removeFirst().close()
            #expect(await eventually { server.connectionCount == 2 })
            let again = try await RawConnection.connect(to: socket)
            try await again.send(try echoCallFrame(id: 1, echoRequest(text: "room")))
            #expect(try await again.readResponse().code == .ok)
            await again.close()
            for raw in open { await raw.close() }
        }
    }

    // MARK: Method groups

    private static func feedsOnlyRouter() -> RPCRouter {
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo, group: .panel) { request, _ in
            var response = TestingV1.EchoResponse()
            response.text = "panel:" + request.text
            return response
        }
        router.register(TestingV1.Echo.stream, group: .feeds) { request, writer, _ in
            var response = TestingV1.EchoResponse()
            response.text = "feeds:" + request.text
            try await writer.send(response)
        }
        return router
    }

    @Test func aPeerMayCallOnlyTheGroupsItsEntryGrants() async throws {
        let me = UnixSocketFile.currentUserID
        try await withEchoServer(
            router: Self.feedsOnlyRouter(),
            configure: { $0.peerPolicy = PeerPolicy(allowedUserIDs: [me: [.feeds]]) }
        ) { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            // A panel method, with an admin caller identity in the request: refused all the same.
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(
                    TestingV1.Echo.echo, echoRequest(text: "act as a manager"),
                    options: .init(caller: .init(managerID: 1, rights: [.admin])))
            }
            #expect(error?.code == .permissionDenied)
            #expect(error?.message.contains("panel") == true, "\(String(describing: error))")
            #expect(error?.message.contains("uid \(me)") == true, "\(String(describing: error))")
            // Its own group works, and so does the health check.
            var streamed: [String] = []
            for try await message in client.serverStreaming(TestingV1.Echo.stream, echoRequest(text: "page view")) {
                streamed.append(message.text)
            }
            #expect(streamed == ["feeds:page view"])
            let health = try await client.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest())
            #expect(health.status == .serving)
            // The connection remembers the last method's route and verdict: the refused method
            // stays refused when called twice running, and after it the allowed one still works.
            for _ in 0..<2 {
                let again = await #expect(throws: RPCError.self) { try await client.unary(TestingV1.Echo.echo, echoRequest()) }
                #expect(again?.code == .permissionDenied)
            }
            var streamedAgain: [String] = []
            for try await message in client.serverStreaming(TestingV1.Echo.stream, echoRequest(text: "again")) {
                streamedAgain.append(message.text)
            }
            #expect(streamedAgain == ["feeds:again"])
            let unknown = await #expect(throws: RPCError.self) {
                try await client.unary(path: "/chatpanel.testing.v1.Echo/Nope", payload: [])
            }
            #expect(unknown?.code == .unimplemented)
            await client.close()
        }
    }

    @Test func aPeerWithEveryGroupCallsEverything() async throws {
        try await withEchoServer(
            router: Self.feedsOnlyRouter(),
            configure: { $0.peerPolicy = PeerPolicy(allowedUserIDs: [UnixSocketFile.currentUserID]) }
        ) { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let answer = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "x"))
            #expect(answer.text == "panel:x")
            // Methods in turn on one connection each reach their own handler.
            for text in ["y", "z"] {
                var streamed: [String] = []
                for try await message in client.serverStreaming(TestingV1.Echo.stream, echoRequest(text: text)) {
                    streamed.append(message.text)
                }
                #expect(streamed == ["feeds:\(text)"])
                #expect(try await client.unary(TestingV1.Echo.echo, echoRequest(text: text)).text == "panel:\(text)")
            }
            await client.close()
        }
    }

    @Test func theRouterKnowsEachMethodsGroup() {
        let router = Self.feedsOnlyRouter()
        #expect(router.group(of: TestingV1.Echo.echo.path) == .some(.panel))
        #expect(router.group(of: TestingV1.Echo.stream.path) == .some(.feeds))
        #expect(router.group(of: "/nope") == nil)
    }
}

/// Counts a handler's calls: how many entered, how many run now, and the most at once.
final class ConcurrencyGauge: Sendable {
    private let state = Mutex((entered: 0, running: 0, peak: 0))

    func enter() {
        state.withLock {
            $0.entered += 1
            $0.running += 1
            $0.peak = max($0.peak, $0.running)
        }
    }

    func leave() { state.withLock { $0.running -= 1 } }

    var entered: Int { state.withLock { $0.entered } }
    var peak: Int { state.withLock { $0.peak } }
}
