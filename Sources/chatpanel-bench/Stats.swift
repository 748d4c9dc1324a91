/// Latency samples and their percentiles.
struct LatencySamples {
    private(set) var microseconds: [Double] = []

    mutating func reserve(_ count: Int) { microseconds.reserveCapacity(count) }

    mutating func add(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        microseconds.append(Double(seconds) * 1e6 + Double(attoseconds) / 1e12)
    }

    mutating func merge(_ other: LatencySamples) { microseconds += other.microseconds }

    /// The p-th percentile (0...100) in microseconds.
    func percentile(_ p: Double) -> Double {
        guard !microseconds.isEmpty else { return .nan }
        let sorted = microseconds.sorted()
        let index = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[index]
    }

    var count: Int { microseconds.count }

    /// "p50 12.3 µs, p99 45.6 µs"
    var summary: String { "p50 \(format(percentile(50))) µs, p99 \(format(percentile(99))) µs (n=\(count))" }
}

/// A number with one decimal.
func format(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    let scaled = (value * 10).rounded() / 10
    return String(scaled)
}

/// Measures `body` once.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let start = ContinuousClock.now
    let result = try await body()
    return (result, start.duration(to: .now))
}

/// Measures a synchronous body once.
func measureSync(_ body: () throws -> Void) rethrows -> Duration {
    let start = ContinuousClock.now
    try body()
    return start.duration(to: .now)
}

extension Duration {
    /// The duration in seconds.
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
