import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Gateway
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The circuit breaker alone, on an explicit clock: opens after the threshold of consecutive
/// failures, refuses while open, lets one half-open probe through whose result closes or
/// reopens it.
@Suite("Gateway: circuit breaker")
struct CircuitBreakerTests {
    private func breaker(threshold: Int = 3, open: Duration = .seconds(2)) -> CircuitBreaker {
        var configuration = CircuitBreaker.Configuration()
        configuration.failureThreshold = threshold
        configuration.openDuration = open
        return CircuitBreaker(configuration: configuration)
    }

    @Test("opens after the threshold and refuses while open")
    func opensAfterThreshold() {
        let breaker = breaker()
        let t0 = ContinuousClock.now
        #expect(breaker.acquire(now: t0))
        breaker.recordFailure(now: t0)
        breaker.recordFailure(now: t0)
        #expect(breaker.currentState == .closed(consecutiveFailures: 2))
        #expect(breaker.acquire(now: t0))
        breaker.recordFailure(now: t0)
        #expect(breaker.currentState == .open(until: t0 + .seconds(2)))
        #expect(!breaker.acquire(now: t0))
        #expect(!breaker.acquire(now: t0 + .milliseconds(1999)))
    }

    @Test("a success resets the count of consecutive failures")
    func successResets() {
        let breaker = breaker()
        let t0 = ContinuousClock.now
        breaker.recordFailure(now: t0)
        breaker.recordFailure(now: t0)
        breaker.recordSuccess()
        #expect(breaker.currentState == .closed(consecutiveFailures: 0))
        breaker.recordFailure(now: t0)
        breaker.recordFailure(now: t0)
        #expect(breaker.acquire(now: t0))
    }

    @Test("half-open: one probe only; its success closes the breaker")
    func probeCloses() {
        let breaker = breaker()
        let t0 = ContinuousClock.now
        for _ in 0..<3 { breaker.recordFailure(now: t0) }
        #expect(breaker.acquire(now: t0 + .seconds(2)))
        #expect(breaker.currentState == .halfOpen)
        #expect(!breaker.acquire(now: t0 + .seconds(2)))
        breaker.recordSuccess()
        #expect(breaker.currentState == .closed(consecutiveFailures: 0))
        #expect(breaker.acquire(now: t0 + .seconds(2)))
    }

    @Test("each change between closed, open and half-open is told once; failures counted while closed are not")
    func changesAreTold() {
        let told = Mutex<[CircuitBreaker.State]>([])
        var configuration = CircuitBreaker.Configuration()
        configuration.failureThreshold = 2
        let breaker = CircuitBreaker(configuration: configuration) { state in told.withLock { $0.append(state) } }
        let t0 = ContinuousClock.now
        breaker.recordFailure(now: t0)
        breaker.recordSuccess()
        #expect(told.withLock { $0 }.isEmpty)
        breaker.recordFailure(now: t0)
        breaker.recordFailure(now: t0)
        // A failure while open moves the end of the open period: not a change of kind.
        breaker.recordFailure(now: t0 + .seconds(1))
        #expect(breaker.currentState == .open(until: t0 + .seconds(3)))
        #expect(!breaker.acquire(now: t0 + .seconds(2)))
        #expect(breaker.acquire(now: t0 + .seconds(3)))
        // The probe says nothing (cancelled): open until now, so the next call probes.
        breaker.release()
        #expect(breaker.acquire())
        breaker.recordSuccess()
        breaker.recordSuccess()
        let changes = told.withLock { $0 }
        #expect(changes.count == 5)
        guard changes.count == 5 else { return }
        #expect(changes[0] == .open(until: t0 + .seconds(2)))
        #expect(changes[1] == .halfOpen)
        if case .open(let until) = changes[2] {
            #expect(until >= t0 && until <= .now)
        } else {
            Issue.record("the released probe did not reopen the breaker: \(changes[2])")
        }
        #expect(changes[3] == .halfOpen)
        #expect(changes[4] == .closed(consecutiveFailures: 0))
    }

    @Test("half-open: a failed probe reopens it for another open period")
    func probeReopens() {
        let breaker = breaker()
        let t0 = ContinuousClock.now
        for _ in 0..<3 { breaker.recordFailure(now: t0) }
        let probeTime = t0 + .seconds(3)
        #expect(breaker.acquire(now: probeTime))
        breaker.recordFailure(now: probeTime)
        #expect(breaker.currentState == .open(until: probeTime + .seconds(2)))
        #expect(!breaker.acquire(now: probeTime + .seconds(1)))
        #expect(breaker.acquire(now: probeTime + .seconds(2)))
    }
}

/// What an upstream's breaker counts, over a real socket: a service that answers nothing opens
/// it; deadlines missed while the service keeps answering other calls (the caller's own queue,
/// or deadlines too short for it) do not; a health check that finds the service serving closes
/// an open breaker without waiting for a panel call to probe it.
@Suite("Gateway: what the breaker counts", .timeLimit(.minutes(1)))
struct UpstreamBreakerTests {
    /// Echo that waits `delay_ms` before answering.
    private static func slowRouter() -> RPCRouter {
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { request, _ in
            try await Task.sleep(for: .milliseconds(Int(request.delayMs)))
            var response = TestingV1.EchoResponse()
            response.text = request.text
            return response
        }
        return router
    }

    private static func upstream(_ socket: String) -> Upstream {
        var breaker = CircuitBreaker.Configuration()
        breaker.failureThreshold = 2
        breaker.openDuration = .seconds(30)
        return Upstream(.tasks, socketPath: socket, breaker: breaker)
    }

    private static func echo(_ upstream: Upstream, delayMs: UInt32, timeout: Duration) async throws {
        var request = TestingV1.EchoRequest()
        request.delayMs = delayMs
        _ = try await upstream.call(TestingV1.Echo.echo, request, options: RPCCallOptions(timeout: timeout))
    }

    @Test("deadlines missed while the service keeps answering leave the breaker closed")
    func busyIsNotDown() async throws {
        try await withTemporaryDirectory { dir in
            try await withLiveServer(router: Self.slowRouter(), in: dir) { _, socket in
                let upstream = Self.upstream(socket)
                let slowDone = ManagedFlag()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // Quick calls answered all along, from a few callers at once.
                    for _ in 0..<3 {
                        group.addTask {
                            while !slowDone.isSet {
                                try await Self.echo(upstream, delayMs: 0, timeout: .seconds(10))
                            }
                        }
                    }
                    // Calls whose deadline is too short for their work. The deadline is long
                    // enough that a quick call is answered within it even when the whole suite
                    // runs at once on two cores.
                    group.addTask {
                        defer { slowDone.set() }
                        for _ in 0..<4 {
                            let error = await #expect(throws: RPCError.self) {
                                try await Self.echo(upstream, delayMs: 5_000, timeout: .milliseconds(1_500))
                            }
                            #expect(error?.code == .deadlineExceeded)
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(upstream.breaker.currentState == .closed(consecutiveFailures: 0))
                await upstream.client.close()
            }
        }
    }

    @Test("a service that answers nothing opens the breaker; a serving health check closes it")
    func silentOpensHealthCloses() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/service.sock"
            // A socket that takes connections (the kernel's backlog) and never answers.
            let silent = try listenWithoutAccepting(socket)
            let upstream = Self.upstream(socket)
            for _ in 0..<2 {
                let error = await #expect(throws: RPCError.self) {
                    try await Self.echo(upstream, delayMs: 0, timeout: .milliseconds(150))
                }
                #expect(error?.code == .deadlineExceeded)
            }
            guard case .open = upstream.breaker.currentState else {
                Issue.record("the breaker is \(upstream.breaker.currentState), expected open")
                return
            }
            close(silent)
            unlink(socket)

            // The service is back at the same path. No panel call comes; the health check asks
            // the service itself, finds it serving, and closes the breaker.
            try await withLiveServer(router: Self.slowRouter(), in: dir) { _, _ in
                // The client may first wait out its reconnect backoff; the health check is what
                // probes, again and again, with no panel call in between.
                let serving = await eventually(timeout: .seconds(10), every: .milliseconds(100)) {
                    await upstream.health().status == .serving
                }
                #expect(serving, "the health check never found the service serving")
                #expect(upstream.breaker.currentState == .closed(consecutiveFailures: 0))
                try await Self.echo(upstream, delayMs: 0, timeout: .seconds(5))
            }
            await upstream.client.close()
        }
    }
}

/// A Unix socket at `path` that listens and never accepts: connects succeed (into the kernel's
/// backlog), writes are buffered, nothing is ever answered.
private func listenWithoutAccepting(_ path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = unixSocketAddress(path)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard fd >= 0, bound == 0, listen(fd, 64) == 0 else {
        close(fd)
        throw RPCError.unavailable("cannot listen on \(path): errno \(errno)")
    }
    return fd
}

/// A flag one task sets and others poll.
final class ManagedFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
