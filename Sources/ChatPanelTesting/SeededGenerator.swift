import ChatPanelRPC

/// The tests' deterministic random numbers (SplitMix64): a failing seed fails again.
public struct SeededGenerator: RandomNumberGenerator {
    private var numbers: SplitMix64

    public init(seed: UInt64) {
        numbers = SplitMix64(seed: seed)
    }

    public mutating func next() -> UInt64 { numbers.next() }

    /// A number in `0..<bound`.
    public mutating func next(below bound: Int) -> Int { numbers.next(below: bound) }
}
