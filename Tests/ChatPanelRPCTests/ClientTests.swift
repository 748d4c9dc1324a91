import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Foundation
import NIOCore
import NIOPosix
import Testing

/// `RPCClient` against services that come and go: fast UNAVAILABLE while a service is down,
/// reconnecting once it is back (also after a restart), cancellation of calls in flight, and
/// the caller identity reaching the handler.
@Suite(.timeLimit(.minutes(1)))
struct ClientTests {
    /// Calls `Echo/Echo` until it succeeds or `timeout` passes; returns the answer, if any.
    /// Calls until the service answers, for at most `timeout`: a bound on a reconnect for a
    /// machine under load (the whole suite run under a sanitizer took longer than 3 s), not a
    /// figure of how fast it is.
    private func callUntilAnswered(_ client: RPCClient, text: String, timeout: Duration = .seconds(15)) async -> TestingV1.EchoResponse? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let response = try? await client.unary(TestingV1.Echo.echo, echoRequest(text: text), options: .init(timeout: .seconds(1))) {
                return response
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test func serviceDownIsUnavailableFast() async throws {
        try await withTemporaryDirectory { dir in
            let client = RPCClient(configuration: .init(socketPath: "\(dir)/nobody.sock"))
            let (error, elapsed) = await measure {
                await callError { try await client.unary(TestingV1.Echo.echo, echoRequest()) }
            }
            // Fast: far sooner than the call's own 30 s timeout. (The bound leaves room for a
            // machine busy with the whole suite: a first run, with WeasyPrint building its font
            // cache beside it, once took 6 s here.)
            #expect((error as? RPCError)?.code == .unavailable)
            #expect((error as? RPCError)?.message == "cannot connect to \(dir)/nobody.sock: No such file or directory (errno 2)")
            #expect(elapsed < .seconds(15))
            // While backing off, further calls fail at once without trying to connect.
            let (again, againElapsed) = await measure {
                await callError { try await client.unary(TestingV1.Echo.echo, echoRequest()) }
            }
            #expect((again as? RPCError)?.code == .unavailable)
            // (Said by the back-off, or by a second connect when the machine was slow enough for
            // the back-off to pass: the system's reason either way.)
            #expect((again as? RPCError)?.message.contains("nobody.sock") == true, "\(String(describing: again))")
            #expect((again as? RPCError)?.message.contains("No such file or directory (errno 2)") == true, "\(String(describing: again))")
            #expect(againElapsed < .seconds(15))
            #expect(!client.isConnected)
            await client.close()
        }
    }

    @Test func callersOffTheEventLoopsShareOneConnection() async throws {
        try await withEchoServer { server, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            for index in 0..<5 { _ = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "\(index)")) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask { _ = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "\(index)")) }
                }
                try await group.waitForAll()
            }
            #expect(server.connectionCount == 1)
            await client.close()
        }
    }

    /// A connection writes its requests into one kept buffer: requests of every size, one after
    /// the other and many at once (past the calls a connection sends at a time, so that some
    /// wait), each reach the server whole and once, with a buffer grown by a 300 KB request let go.
    @Test func requestsOfEverySizeThroughOneConnectionArriveWhole() async throws {
        let served = Recorder<String>()
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { request, _ in
            served.append(request.text)
            var response = TestingV1.EchoResponse()
            response.text = request.text
            response.body = request.body
            return response
        }
        try await withEchoServer(router: router) { server, socket in
            var configuration = RPCClientConfiguration(socketPath: socket)
            configuration.maximumCallsInFlight = 4
            let client = RPCClient(configuration: configuration)
            func body(_ size: Int, _ seed: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed) } }
            for (index, size) in [0, 100_000, 10, 300_000, 5, 70_000, 3].enumerated() {
                var request = echoRequest(text: "s\(index)")
                request.body = body(size, index)
                let response = try await client.unary(TestingV1.Echo.echo, request)
                #expect(response.text == "s\(index)" && response.body == request.body, "request \(index) of \(size) bytes")
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        var request = echoRequest(text: "c\(index)")
                        request.body = body(index % 7 == 0 ? 90_000 : index * 11, index)
                        let response = try await client.unary(TestingV1.Echo.echo, request)
                        #expect(response.text == "c\(index)" && response.body == request.body, "call \(index)")
                    }
                }
                try await group.waitForAll()
            }
            #expect(server.connectionCount == 1)
            await client.close()
        }
        // Each request reached the handler once.
        let counts = Dictionary(served.all.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(counts.count == 47 && counts.values.allSatisfy { $0 == 1 }, "\(counts.filter { $0.value != 1 })")
    }

    /// Callers running on the client's own event loop (as RPC handlers calling an upstream do)
    /// hand their calls straight to the connection: answered each with its own response,
    /// cancelled like any other, and failing at once once the connection is gone.
    @Test func callersOnTheClientsEventLoopGetTheirOwnAnswersAndCanCancel() async throws {
        try await withEchoServer { server, socket in
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let client = RPCClient(configuration: .init(socketPath: socket), eventLoopGroup: loop)
            let executor = EventLoopTaskExecutor(eventLoop: loop)
            let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<50 {
                    group.addTask(executorPreference: executor) {
                        #expect(loop.inEventLoop)
                        let answer = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "call \(index)"))
                        return (index, answer.text)
                    }
                }
                var answers: [Int: String] = [:]
                for try await (index, text) in group { answers[index] = text }
                return answers
            }
            #expect(answers.count == 50)
            #expect(answers.allSatisfy { $0.value == "call \($0.key)" })
            #expect(server.connectionCount == 1)

            let slow = Task(executorPreference: executor) {
                try await client.unary(TestingV1.Echo.echo, echoRequest(delayMs: 5000), options: .init(timeout: .seconds(10)))
            }
            #expect(await eventually { server.callsInFlight == 1 })
            slow.cancel()
            let error = await callError { try await slow.value }
            #expect((error as? RPCError)?.code == .cancelled)
            #expect(await eventually { server.callsInFlight == 0 })
            await client.close()
            let closed = await callError {
                try await withTaskExecutorPreference(executor) { try await client.unary(TestingV1.Echo.echo, echoRequest()) }
            }
            #expect((closed as? RPCError)?.code == .unavailable)
        }
    }

    @Test func streamingCallToAServiceThatIsDownIsUnavailable() async throws {
        try await withTemporaryDirectory { dir in
            let client = RPCClient(configuration: .init(socketPath: "\(dir)/nobody.sock"))
            let error = await #expect(throws: RPCError.self) {
                for try await _ in client.serverStreaming(TestingV1.Echo.stream, echoRequest(count: 1)) {}
            }
            #expect(error?.code == .unavailable)
            await client.close()
        }
    }

    @Test func clientReconnectsOnceTheServiceStarts() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/late.sock"
            let client = RPCClient(configuration: .init(socketPath: socket))
            // A few failures first, so that the client is backing off when the service appears.
            for _ in 0..<3 {
                let error = await callError { try await client.unary(TestingV1.Echo.echo, echoRequest()) }
                #expect((error as? RPCError)?.code == .unavailable)
            }
            let running = try await RunningServer.start(socket: socket)
            let response = await callUntilAnswered(client, text: "you are back")
            #expect(response?.text == "you are back")
            #expect(client.isConnected)
            await client.close()
            await running.stop()
        }
    }

    @Test func callsAfterAServerRestartSucceed() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/restart.sock"
            let client = RPCClient(configuration: .init(socketPath: socket))
            let first = try await RunningServer.start(socket: socket)
            #expect(try await client.unary(TestingV1.Echo.echo, echoRequest(text: "before")).text == "before")
            await first.stop()

            // Down: the connection dropped and nobody listens.
            #expect(await eventually { !client.isConnected })
            let down = await callError { try await client.unary(TestingV1.Echo.echo, echoRequest()) }
            #expect((down as? RPCError)?.code == .unavailable)

            let second = try await RunningServer.start(socket: socket)
            let response = await callUntilAnswered(client, text: "after")
            #expect(response?.text == "after")
            // And it stays up: the next calls go straight through.
            for index in 0..<5 {
                #expect(try await client.unary(TestingV1.Echo.echo, echoRequest(text: "\(index)")).text == "\(index)")
            }
            await client.close()
            await second.stop()
        }
    }

    @Test func restartWithoutCallsInBetweenNeedsNoRetry() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/restart.sock"
            let client = RPCClient(configuration: .init(socketPath: socket))
            let first = try await RunningServer.start(socket: socket)
            #expect(try await client.unary(TestingV1.Echo.echo, echoRequest(text: "one")).text == "one")
            await first.stop()
            #expect(await eventually { !client.isConnected })
            let second = try await RunningServer.start(socket: socket)
            // No failed connect happened, so there is no backoff: the first call reconnects.
            #expect(try await client.unary(TestingV1.Echo.echo, echoRequest(text: "two")).text == "two")
            await client.close()
            await second.stop()
        }
    }

    @Test func callsInFlightFailUnavailableWhenTheConnectionDrops() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/drop.sock"
            let running = try await RunningServer.start(socket: socket) { $0.shutdownGracePeriod = .milliseconds(100) }
            let client = RPCClient(configuration: .init(socketPath: socket))
            let call = Task {
                try await client.unary(TestingV1.Echo.echo, echoRequest(delayMs: 10_000), options: .init(timeout: .seconds(20)))
            }
            #expect(await eventually { running.server.callsInFlight == 1 })
            await running.stop()
            let (error, elapsed) = await measure { await callError { try await call.value } }
            #expect((error as? RPCError)?.code == .unavailable)
            #expect(elapsed < .seconds(5))
            await client.close()
        }
    }

    @Test func cancellingTheTaskCancelsTheCall() async throws {
        try await withEchoServer { server, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let call = Task {
                try await client.unary(TestingV1.Echo.echo, echoRequest(delayMs: 5000), options: .init(timeout: .seconds(10)))
            }
            #expect(await eventually { server.callsInFlight == 1 })
            call.cancel()
            let (error, elapsed) = await measure { await callError { try await call.value } }
            #expect((error as? RPCError)?.code == .cancelled)
            #expect(elapsed < .seconds(4), "the handler's 5 s answer was waited for")
            // The server was told and stopped the handler.
            #expect(await eventually { server.callsInFlight == 0 })
            // The connection is still good.
            let answer = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "next"))
            #expect(answer.text == "next")
            await client.close()
        }
    }

    @Test func callFromAnAlreadyCancelledTaskIsCancelled() async throws {
        try await withEchoServer { server, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            _ = try await client.unary(TestingV1.Echo.echo, echoRequest())  // connected
            let call = Task {
                // Returns (by throwing, swallowed) as soon as the task is cancelled.
                try? await Task.sleep(for: .seconds(30))
                return try await client.unary(TestingV1.Echo.echo, echoRequest(delayMs: 5000), options: .init(timeout: .seconds(10)))
            }
            call.cancel()
            let (error, elapsed) = await measure { await callError { try await call.value } }
            #expect((error as? RPCError)?.code == .cancelled)
            #expect(elapsed < .seconds(4), "the handler's 5 s answer was waited for")
            #expect(await eventually { server.callsInFlight == 0 })
            await client.close()
        }
    }

    @Test func streamFromAnAlreadyCancelledTaskStopsOnTheServer() async throws {
        try await withEchoServer { server, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            _ = try await client.unary(TestingV1.Echo.echo, echoRequest())  // connected
            let consumer = Task {
                try? await Task.sleep(for: .seconds(30))
                var received = 0
                for try await _ in client.serverStreaming(TestingV1.Echo.stream, echoRequest(delayMs: 20, count: 1000)) { received += 1 }
                return received
            }
            consumer.cancel()
            _ = try? await consumer.value
            // Whatever the consumer saw, the server must not keep streaming for 20 s.
            #expect(await eventually { server.callsInFlight == 0 })
            await client.close()
        }
    }

    @Test func clientSideTimeoutIsDeadlineExceeded() async throws {
        try await withEchoServer { server, socket in
            var configuration = RPCClientConfiguration(socketPath: socket)
            configuration.defaultCallTimeout = .milliseconds(300)
            let client = RPCClient(configuration: configuration)
            let (error, elapsed) = await measure {
                await callError { try await client.unary(TestingV1.Echo.echo, echoRequest(delayMs: 10_000)) }
            }
            #expect((error as? RPCError)?.code == .deadlineExceeded)
            // Far below the handler's 10 s, with room for a busy machine.
            #expect(elapsed < .milliseconds(300) + .seconds(4))
            #expect(await eventually { server.callsInFlight == 0 })
            await client.close()
        }
    }

    @Test func callerIdentityReachesTheHandler() async throws {
        let seen = Recorder<RPCCallContext>()
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { request, context in
            seen.append(context)
            var response = TestingV1.EchoResponse()
            response.managerID = context.caller.managerID
            response.text = request.text
            return response
        }
        try await withEchoServer(router: router) { _, socket in
            var configuration = RPCClientConfiguration(socketPath: socket)
            configuration.defaultCaller = .init(managerID: 5, rights: [.tasks])
            let client = RPCClient(configuration: configuration)

            let explicit = try await client.unary(
                TestingV1.Echo.echo, echoRequest(text: "a"),
                options: .init(caller: .init(managerID: 42, rights: [.createTags, .editClients]), requestID: "req-1"))
            #expect(explicit.managerID == 42)
            let byDefault = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "b"))
            #expect(byDefault.managerID == 5)
            await client.close()
        }
        let contexts = seen.all
        try #require(contexts.count == 2)
        #expect(contexts[0].caller.managerID == 42)
        #expect(contexts[0].caller.rights == [.createTags, .editClients])
        #expect(contexts[0].caller.has(.editClients))
        #expect(!contexts[0].caller.has(.tasks))
        #expect(contexts[0].requestID == "req-1")
        #expect(contexts[0].method == TestingV1.Echo.echo.path)
        #expect(contexts[1].caller.managerID == 5)
        #expect(contexts[1].caller.rights == [.tasks])
        #expect(contexts[1].requestID == "")
    }

    @Test func echoServiceReturnsTheCallersManagerID() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let response = try await client.unary(
                TestingV1.Echo.echo, echoRequest(text: "who"), options: .init(caller: .init(managerID: 777, rights: [])))
            #expect(response.managerID == 777)
            await client.close()
        }
    }

    @Test func closedClientRefusesCalls() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            _ = try await client.unary(TestingV1.Echo.echo, echoRequest())
            await client.close()
            #expect(!client.isConnected)
            let error = await callError { try await client.unary(TestingV1.Echo.echo, echoRequest()) }
            #expect((error as? RPCError)?.code == .unavailable)
        }
    }
}
