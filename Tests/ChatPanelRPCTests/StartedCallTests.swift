import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Dispatch
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Calls started at once and awaited later (`RPCClient.start`): under way together, each with
/// its own answer whatever the order they are awaited in, an answer kept until it is taken,
/// and each completing exactly once: answered, failed, timed out or cancelled, awaited or not.
@Suite(.timeLimit(.minutes(1)))
struct StartedCallTests {
    /// What `onCompletion` was told, in order.
    private final class Completions: Sendable {
        let recorder = Recorder<String>()

        func record(_ result: Result<[UInt8], any Error>) {
            switch result {
            case .success(let bytes):
                let text = (try? TestingV1.EchoResponse(serializedBytes: bytes))?.text ?? "?"
                recorder.append("ok \(text)")
            case .failure(let error):
                recorder.append("\((error as? RPCError)?.code.protoName ?? "\(error)")")
            }
        }
    }

    private func echo(_ text: String, delayMs: UInt32 = 0) throws -> [UInt8] {
        try echoRequest(text: text, delayMs: delayMs).serializedBytes()
    }

    private func text(_ bytes: [UInt8]) throws -> String { try TestingV1.EchoResponse(serializedBytes: bytes).text }

    /// Holds handlers until opened.
    private final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

        func wait() async {
            await withCheckedContinuation { continuation in
                let open = state.withLock { state in
                    if !state.open { state.waiters.append(continuation) }
                    return state.open
                }
                if open { continuation.resume() }
            }
        }

        func open() {
            let waiters = state.withLock { state in
                state.open = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    @Test func callsStartedTogetherAreAnsweredEachWithItsOwnAnswerInAnyOrderTheyAreAwaited() async throws {
        let gate = Gate()
        var router = RPCRouter()
        // Calls whose text starts with "held" wait for the gate.
        router.register(TestingV1.Echo.echo) { request, _ in
            if request.text.hasPrefix("held") { await gate.wait() }
            var response = TestingV1.EchoResponse()
            response.text = request.text
            return response
        }
        try await withEchoServer(router: router) { server, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let completions = Completions()
            let texts = ["held 0", "held 1", "held 2", "quick 3", "quick 4", "quick 5"]
            let calls = try texts.map { text in
                client.start(
                    path: TestingV1.Echo.echo.path, payload: try echo(text), options: .init(timeout: .seconds(30)),
                    onCompletion: completions.record)
            }
            // The held calls are on the server together, and the quick ones started after them
            // are answered meanwhile, before anything is awaited.
            #expect(await eventually(timeout: .seconds(15)) { server.callsInFlight == 3 })
            #expect(await eventually(timeout: .seconds(15)) { completions.recorder.all.count == 3 })
            #expect(Set(completions.recorder.all) == ["ok quick 3", "ok quick 4", "ok quick 5"])
            for (index, call) in calls.enumerated() { #expect((call.completedAt != nil) == (index >= 3)) }
            gate.open()
            var answers: [String] = []
            for call in calls.reversed() { answers.append(try text(try await call.answer())) }
            #expect(answers == texts.reversed())
            #expect(Set(completions.recorder.all) == Set(texts.map { "ok \($0)" }))
            #expect(completions.recorder.all.count == 6)
            #expect(server.connectionCount == 1)
            await client.close()
        }
    }

    @Test func anAnswerIsGivenOnceAndItsStatusIsThrown() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let call = client.start(path: TestingV1.Echo.echo.path, payload: try echo("once"))
            #expect(try text(try await call.answer()) == "once")
            let again = await callError { try await call.answer() }
            #expect((again as? RPCError)?.code == .failedPrecondition)

            var failing = echoRequest()
            failing.failCode = UInt32(RPCError.Code.notFound.rawValue)
            let failed = client.start(path: TestingV1.Echo.echo.path, payload: try failing.serializedBytes())
            let error = await callError { try await failed.answer() }
            #expect((error as? RPCError)?.code == .notFound)
            #expect((error as? RPCError)?.message == "failure requested")
            await client.close()
        }
    }

    @Test func cancellingAStartedCallCancelsItOnTheServerOnceWhetherOrNotItIsAwaited() async throws {
        try await withEchoServer { server, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            _ = try await client.unary(TestingV1.Echo.echo, echoRequest())  // connected
            let completions = Completions()
            let call = client.start(
                path: TestingV1.Echo.echo.path, payload: try echo("slow", delayMs: 30_000), options: .init(timeout: .seconds(60)),
                onCompletion: completions.record)
            #expect(await eventually(timeout: .seconds(15)) { server.callsInFlight == 1 })
            call.cancel()
            #expect(await eventually(timeout: .seconds(15)) { completions.recorder.all == ["CANCELLED"] })
            #expect(await eventually(timeout: .seconds(15)) { server.callsInFlight == 0 })
            call.cancel()  // nothing more
            let error = await callError { try await call.answer() }
            #expect((error as? RPCError)?.code == .cancelled)
            #expect(completions.recorder.all == ["CANCELLED"])

            // The task awaiting it cancelled.
            let awaited = client.start(
                path: TestingV1.Echo.echo.path, payload: try echo("slow", delayMs: 30_000), options: .init(timeout: .seconds(60)),
                onCompletion: completions.record)
            let waiter = Task { try await awaited.answer() }
            #expect(await eventually(timeout: .seconds(15)) { server.callsInFlight == 1 })
            waiter.cancel()
            let (cancelled, elapsed) = await measure { await callError { try await waiter.value } }
            #expect((cancelled as? RPCError)?.code == .cancelled)
            #expect(elapsed < .seconds(15))  // not the handler's 30 s
            #expect(await eventually(timeout: .seconds(15)) { server.callsInFlight == 0 })
            #expect(completions.recorder.all == ["CANCELLED", "CANCELLED"])

            // An answer that came is not undone by a cancel.
            let answered = client.start(path: TestingV1.Echo.echo.path, payload: try echo("kept"), onCompletion: completions.record)
            #expect(await eventually(timeout: .seconds(15)) { completions.recorder.all.count == 3 })
            answered.cancel()
            #expect(try text(try await answered.answer()) == "kept")
            #expect(completions.recorder.all == ["CANCELLED", "CANCELLED", "ok kept"])
            await client.close()
        }
    }

    @Test func aStartedCallNeverAwaitedTimesOutOnItsDeadline() async throws {
        try await withEchoServer { server, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let completions = Completions()
            let call = client.start(
                path: TestingV1.Echo.echo.path, payload: try echo("late", delayMs: 10_000), options: .init(timeout: .milliseconds(200)),
                onCompletion: completions.record)
            #expect(await eventually(timeout: .seconds(10)) { completions.recorder.all == ["DEADLINE_EXCEEDED"] })
            #expect(await eventually(timeout: .seconds(15)) { server.callsInFlight == 0 })
            let error = await callError { try await call.answer() }
            #expect((error as? RPCError)?.code == .deadlineExceeded)
            await client.close()
        }
    }

    /// A call waits for its connection to be made (the client's first), or for its loop to come to
    /// it (a call started off the loop); one cancelled meanwhile completes at once and is never
    /// written.
    @Test func aCallStartedBeforeItsLoopComesToItIsWrittenThenUnlessCancelled() async throws {
        let handled = Recorder<String>()
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo, synchronous: { request, _ in
            handled.append(request.text)
            var response = TestingV1.EchoResponse()
            response.text = request.text
            return response
        })
        try await withEchoServer(router: router) { _, socket in
            // The client's loop held up, so that its connect cannot complete before the cancel.
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let client = RPCClient(configuration: .init(socketPath: socket), eventLoopGroup: loop)
            let completions = Completions()
            let gate = DispatchSemaphore(value: 0)
            loop.execute { gate.wait() }
            let dropped = client.start(path: TestingV1.Echo.echo.path, payload: try echo("dropped"), onCompletion: completions.record)
            dropped.cancel()
            let kept = client.start(path: TestingV1.Echo.echo.path, payload: try echo("kept"), onCompletion: completions.record)
            #expect(kept.completedAt == nil)
            gate.signal()
            #expect(try text(try await kept.answer()) == "kept")
            let error = await callError { try await dropped.answer() }
            #expect((error as? RPCError)?.code == .cancelled)
            #expect(completions.recorder.all == ["CANCELLED", "ok kept"])
            #expect(handled.all == ["kept"])

            // Connected now: a call started off the loop is queued on it, and one cancelled
            // before the loop comes to it is not written either (the next one is, after it).
            loop.execute { gate.wait() }
            let queued = client.start(path: TestingV1.Echo.echo.path, payload: try echo("queued"), onCompletion: completions.record)
            queued.cancel()
            let next = client.start(path: TestingV1.Echo.echo.path, payload: try echo("next"), onCompletion: completions.record)
            gate.signal()
            #expect(try text(try await next.answer()) == "next")
            #expect((await callError { try await queued.answer() } as? RPCError)?.code == .cancelled)
            #expect(completions.recorder.all == ["CANCELLED", "ok kept", "CANCELLED", "ok next"])
            #expect(handled.all == ["kept", "next"])
            await client.close()
        }
    }

    @Test func aCallToAServiceThatIsDownOrTooLargeFailsAtOnceAndCompletesOnce() async throws {
        try await withTemporaryDirectory { dir in
            let client = RPCClient(configuration: .init(socketPath: "\(dir)/nobody.sock"))
            let completions = Completions()
            let call = client.start(path: TestingV1.Echo.echo.path, payload: try echo("x"), onCompletion: completions.record)
            let error = await callError { try await call.answer() }
            #expect((error as? RPCError)?.code == .unavailable)
            #expect(completions.recorder.all == ["UNAVAILABLE"])

            var configuration = RPCClientConfiguration(socketPath: "\(dir)/nobody.sock")
            configuration.maximumFrameSize = 1024
            let small = RPCClient(configuration: configuration)
            let large = small.start(
                path: TestingV1.Echo.echo.path, payload: [UInt8](repeating: 1, count: 4096), onCompletion: completions.record)
            let tooLarge = await callError { try await large.answer() }
            #expect((tooLarge as? RPCError)?.code == .resourceExhausted)
            #expect(completions.recorder.all == ["UNAVAILABLE", "RESOURCE_EXHAUSTED"])
            await client.close()
            await small.close()
        }
    }
}
