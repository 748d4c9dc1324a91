import Gateway
import Testing

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
