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
    private let state = Mutex<State>(.closed(consecutiveFailures: 0))

    /// A closed breaker.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The current state.
    public var currentState: State { state.withLock { $0 } }

    /// Whether a call may go now; in half-open state only the first caller gets `true`.
    public func acquire(now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            switch state {
            case .closed: return true
            case .halfOpen: return false
            case .open(let until):
                guard now >= until else { return false }
                state = .halfOpen
                return true
            }
        }
    }

    /// Records a call that reached the service (whatever its answer).
    public func recordSuccess() {
        state.withLock { $0 = .closed(consecutiveFailures: 0) }
    }

    /// Records a call that says nothing about the upstream's health (cancelled by its caller,
    /// or slow while the upstream kept answering): a half-open breaker lets the next call probe.
    public func release() {
        state.withLock { state in
            if case .halfOpen = state { state = .open(until: .now) }
        }
    }

    /// Records a call that did not reach the service or got no answer in time.
    public func recordFailure(now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            switch state {
            case .closed(let failures):
                state =
                    failures + 1 >= configuration.failureThreshold
                    ? .open(until: now + configuration.openDuration) : .closed(consecutiveFailures: failures + 1)
            case .halfOpen, .open:
                state = .open(until: now + configuration.openDuration)
            }
        }
    }
}
