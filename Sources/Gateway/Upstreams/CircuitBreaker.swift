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
    /// Told when the breaker opens, half-opens or closes (not on every failure counted).
    private let onChange: (@Sendable (State) -> Void)?

    /// A closed breaker; `onChange` hears each change between closed, open and half-open.
    public init(configuration: Configuration = Configuration(), onChange: (@Sendable (State) -> Void)? = nil) {
        self.configuration = configuration
        self.onChange = onChange
    }

    /// Runs `body` on the state and tells `onChange` when the state's kind changed.
    private func update<T>(_ body: (inout State) -> T) -> T {
        let (result, changed): (T, State?) = state.withLock { state in
            let before = state
            let result = body(&state)
            return (result, Self.sameKind(before, state) ? nil : state)
        }
        if let changed { onChange?(changed) }
        return result
    }

    private static func sameKind(_ a: State, _ b: State) -> Bool {
        switch (a, b) {
        case (.closed, .closed), (.open, .open), (.halfOpen, .halfOpen): true
        default: false
        }
    }

    /// The current state.
    public var currentState: State { state.withLock { $0 } }

    /// Whether a call may go now; in half-open state only the first caller gets `true`.
    public func acquire(now: ContinuousClock.Instant = .now) -> Bool {
        update { state in
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
        update { $0 = .closed(consecutiveFailures: 0) }
    }

    /// Records a call that says nothing about the upstream's health (cancelled by its caller,
    /// or slow while the upstream kept answering): a half-open breaker lets the next call probe.
    public func release() {
        update { state in
            if case .halfOpen = state { state = .open(until: .now) }
        }
    }

    /// Records a call that did not reach the service or got no answer in time.
    public func recordFailure(now: ContinuousClock.Instant = .now) {
        update { state in
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
