/// How a merge workflow retries a step whose service was away or slow: waits that double from
/// `initialDelay` up to `maximumDelay`, and at most `maximumAttempts` attempts at one step
/// before the workflow is reported FAILED with the last error (a retried MergeClients request
/// resumes it).
public struct MergeRetryPolicy: Sendable, Equatable {
    /// The wait after the first failed attempt. Default 200 ms.
    public var initialDelay: Duration = .milliseconds(200)
    /// The longest wait between attempts. Default 30 s.
    public var maximumDelay: Duration = .seconds(30)
    /// Attempts at one step before giving up. Default 20 (about 7 minutes of waiting with the default delays).
    public var maximumAttempts = 20

    /// The defaults.
    public init() {}

    /// The wait after `failures` consecutive failed attempts at a step (1 after the first).
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let doubled = initialDelay * (1 << min(failures - 1, 30))
        return min(doubled, maximumDelay)
    }
}
