import GRDB
import Synchronization

/// Wakes the feed's watchers when a transaction that recorded changes commits. Each watcher
/// holds at most one pending wake-up: commits made while it reads coalesce into one.
public final class ChangeSignal: Sendable {
    private struct Subscribers {
        var nextID = 0
        var continuations: [Int: AsyncStream<Void>.Continuation] = [:]
    }

    private let subscribers = Mutex(Subscribers())

    init() {}

    /// A stream that yields after every commit that recorded changes (coalesced while unread).
    /// Subscribe before reading the feed, so that a commit between the read and the wait is not missed.
    public func subscribe() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = subscribers.withLock { state in
            defer { state.nextID += 1 }
            state.continuations[state.nextID] = continuation
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// How many watchers are subscribed.
    public var subscriberCount: Int { subscribers.withLock { $0.continuations.count } }

    func fire() {
        let continuations = subscribers.withLock { Array($0.continuations.values) }
        for continuation in continuations { continuation.yield() }
    }
}

/// Fires a ``ChangeSignal`` after each commit that inserted into `panel_change`. GRDB calls it
/// on the writer's queue only.
final class ChangeCommitObserver: TransactionObserver, @unchecked Sendable {
    private let signal: ChangeSignal
    private var recorded = false

    init(signal: ChangeSignal) { self.signal = signal }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == "panel_change" }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) { recorded = true }

    func databaseDidCommit(_ db: Database) {
        guard recorded else { return }
        recorded = false
        signal.fire()
    }

    func databaseDidRollback(_ db: Database) { recorded = false }
}
