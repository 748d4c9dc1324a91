import Synchronization

/// Stops calling a service that keeps failing, so a dead upstream costs its callers nothing
/// and is not hammered while it restarts.
///
/// Closed: calls go through; `failureThreshold` consecutive failures of the upstream (the
/// connection failing, UNAVAILABLE, no answer at all in time) open it. Open: calls are refused
/// at once until `openDuration` has passed. Then half-open: one probe call goes through; its
/// success closes the breaker, its failure opens it again, and a probe that ends neither way
/// (cancelled, or slow while the upstream kept answering) lets the next call probe. A health
/// check that finds the upstream serving closes it too. Application errors (not found, invalid
/// argument, …) are answers, not failures.
public final class CircuitBreaker: Sendable {
    /// The breaker's state, as health checks report it.
    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen
    }

    /// Settings of a breaker.
    public struct Configuration: Sendable {
        /// Consecutive failures that open the breaker. Default 5.
        public var failureThreshold = 5
        /// How long it stays open before a probe. Default 2 s.
        public var openDuration: Duration = .seconds(2)

        /// Defaults.
        public init() {}
    }

    private let configuration: Configuration
    /// The state as kept: a kind, a count and an offset, all of fixed layout. (`State` holds a
    /// `ContinuousClock.Instant`, whose layout the standard library does not fix: every copy of
    /// it went through run-time value witnesses, about 1 000 instructions a call.)
    private let stored = Mutex(Stored())
    /// What the offsets of `Stored.openUntil` count from.
    private let origin = ContinuousClock.now
    /// Told when the breaker opens, half-opens or closes (not on every failure counted).
    private let onChange: (@Sendable (State) -> Void)?

    private enum Kind { case closed, open, halfOpen }

    private struct Stored {
        var kind = Kind.closed
        /// Consecutive failures, while closed.
        var failures = 0
        /// Until when it stays open, from `origin`.
        var openUntil = Duration.zero
    }

    /// A closed breaker; `onChange` hears each change between closed, open and half-open.
    public init(configuration: Configuration = Configuration(), onChange: (@Sendable (State) -> Void)? = nil) {
        self.configuration = configuration
        self.onChange = onChange
    }

    private func state(_ stored: Stored) -> State {
        switch stored.kind {
        case .closed: .closed(consecutiveFailures: stored.failures)
        case .open: .open(until: origin + stored.openUntil)
        case .halfOpen: .halfOpen
        }
    }

    private func offset(_ instant: ContinuousClock.Instant) -> Duration { origin.duration(to: instant) }

    /// Runs `body` on the state and tells `onChange` when the state's kind changed.
    private func update(_ body: (inout Stored) -> Bool) -> Bool {
        let (result, changed): (Bool, Stored?) = stored.withLock { stored in
            let before = stored.kind
            let result = body(&stored)
            return (result, stored.kind == before ? nil : stored)
        }
        if let changed, let onChange { onChange(state(changed)) }
        return result
    }

    /// The current state.
    public var currentState: State { state(stored.withLock { $0 }) }

    /// Whether a call may go now; in half-open state only the first caller gets `true`. The
    /// clock is read only while the breaker is open.
    public func acquire(now: @autoclosure () -> ContinuousClock.Instant = .now) -> Bool {
        update { stored in
            switch stored.kind {
            case .closed: return true
            case .halfOpen: return false
            case .open:
                guard offset(now()) >= stored.openUntil else { return false }
                stored.kind = .halfOpen
                return true
            }
        }
    }

    /// Records a call that reached the service (whatever its answer).
    public func recordSuccess() {
        _ = update { stored in
            stored = Stored()
            return true
        }
    }

    /// Records a call that says nothing about the upstream's health (cancelled by its caller,
    /// or slow while the upstream kept answering): a half-open breaker lets the next call probe.
    public func release() {
        _ = update { stored in
            if stored.kind == .halfOpen {
                stored.kind = .open
                stored.openUntil = offset(.now)
            }
            return true
        }
    }

    /// Records a call that did not reach the service or got no answer in time.
    public func recordFailure(now: ContinuousClock.Instant = .now) {
        _ = update { stored in
            if stored.kind == .closed, stored.failures + 1 < configuration.failureThreshold {
                stored.failures += 1
            } else {
                stored.kind = .open
                stored.openUntil = offset(now) + configuration.openDuration
            }
            return true
        }
    }
}
