import ChatPanelStore
import Foundation
import GRDB
import Testing

/// The change feed of the store kit: changes written in the transaction that makes them,
/// published once it commits, never for one that rolls back; positions, gaps and pruning.
@Suite("Store: change feed")
struct ChangeFeedTests {
    private func withStore<T>(_ body: (SQLiteStore) async throws -> T) async throws -> T {
        let dir = "/tmp/cp-feed-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try await body(try SQLiteStore(path: "\(dir)/feed.sqlite", migrations: StoreMigrations()))
    }

    private struct Refused: Error {}

    @Test("a rolled-back write publishes nothing; a committed one publishes its changes in order")
    func rolledBackWritesPublishNothing() async throws {
        try await withStore { store in
            let beforeRollback = store.changeSignal.subscribe()
            await #expect(throws: Refused.self) {
                try await store.write { db in
                    try db.recordChanges([.notes], clientID: 7, at: 1)
                    throw Refused()
                }
            }
            #expect(try await store.changes(after: 0).changes.isEmpty)
            #expect(try await store.changeFeedHead() == 0)
            // No wake-up for the rollback: within a while, nothing comes.
            #expect(await Self.wakesUp(beforeRollback, within: .milliseconds(300)) == false)
            let beforeCommit = store.changeSignal.subscribe()

            try await store.write { db in
                try db.recordChanges([.tasks, .notes], clientID: 7, at: 2)
                try db.recordChanges([.cart], visitorID: "v-1", at: 2)
            }
            #expect(await Self.wakesUp(beforeCommit, within: .seconds(30)))
            let page = try await store.changes(after: 0)
            #expect(page.changes.map(\.widget) == [.tasks, .notes, .cart])
            #expect(page.changes.map(\.position) == [1, 2, 3])
            #expect(page.changes[0].clientID == 7 && page.changes[2].visitorID == "v-1")
            #expect(page.head == 3 && !page.gap)
            #expect(try await store.changes(after: 2).changes.map(\.position) == [3])
        }
    }

    /// Whether `stream` yields within `limit` (the stream ends either way: one use per stream).
    private static func wakesUp(_ stream: AsyncStream<Void>, within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                return await iterator.next() != nil
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @Test("a rollback after a commit leaves positions increasing, never reused")
    func positionsAreNeverReused() async throws {
        try await withStore { store in
            try await store.write { db in try db.recordChanges([.order], clientID: 1, at: 1) }
            await #expect(throws: Refused.self) {
                try await store.write { db in
                    try db.recordChanges([.order], clientID: 2, at: 2)
                    throw Refused()
                }
            }
            try await store.write { db in try db.recordChanges([.order], clientID: 3, at: 3) }
            let changes = try await store.changes(after: 0).changes
            #expect(changes.map(\.clientID) == [1, 3])
            #expect(changes[1].position > changes[0].position)
        }
    }

    @Test("a position no longer held, or beyond the head, is a gap; the feed goes on from the head")
    func prunedPositionsAreAGap() async throws {
        try await withStore { store in
            for time in Int64(1)...5 {
                try await store.write { db in try db.recordChanges([.summary], dialogID: "d", at: time * 1000) }
            }
            #expect(try await store.pruneChanges(before: 3000) == 2)
            #expect(try await store.changes(after: 1).gap)
            #expect(!(try await store.changes(after: 2).gap))
            #expect(try await store.changes(after: 2).changes.map(\.position) == [3, 4, 5])
            let beyond = try await store.changes(after: 99)
            #expect(beyond.gap && beyond.head == 5)
        }
    }

    @Test("a change naming no client, dialog or visitor concerns every client")
    func wideChanges() async throws {
        try await withStore { store in
            try await store.write { db in try db.recordChanges([.tags, .client], at: 1) }
            let changes = try await store.changes(after: 0).changes
            #expect(changes.count == 2)
            #expect(changes.allSatisfy { $0.isWide })
        }
    }
}
