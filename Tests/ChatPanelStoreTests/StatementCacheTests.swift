import ChatPanelRPC
import Foundation
import GRDB
import NIOPosix
import Testing

@testable import ChatPanelStore

/// Statements prepared once per connection: on an event loop's own connection from its cache,
/// which tells texts apart whole even when their fingerprints agree; elsewhere from GRDB's.
@Suite struct StatementCacheTests {
    private func withStore<T: Sendable>(_ body: (SQLiteStore) async throws -> T) async throws -> T {
        let directory = "/tmp/cp-stmt-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await body(try SQLiteStore(path: "\(directory)/test.sqlite", migrations: StoreMigrations()))
    }

    /// Runs `body` as a task on an event loop thread, as an RPC handler runs.
    private func onEventLoop<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let executor = EventLoopTaskExecutor(eventLoop: MultiThreadedEventLoopGroup.singleton.next())
        return try await withTaskExecutorPreference(executor) { try await body() }
    }

    /// Two texts of one length that differ in one byte no fingerprint word covers.
    private static let twins: (String, String) = {
        let filler = String(repeating: "x", count: 180)
        let first = "SELECT 'a\(filler)' AS v"
        var bytes = Array(first.utf8)
        // Byte 10 lies between the first and the second sampled word (the step is 24 bytes).
        bytes[10] = UInt8(ascii: "y")
        return (first, String(decoding: bytes, as: UTF8.self))
    }()

    @Test func twinTextsShareAFingerprint() {
        let (first, second) = Self.twins
        #expect(first != second)
        #expect(first.utf8.count == second.utf8.count)
        #expect(StatementCache.Key.fingerprint(of: first) == StatementCache.Key.fingerprint(of: second))
        #expect(StatementCache.Key(first) != StatementCache.Key(second))
        #expect(StatementCache.Key.fingerprint(of: "SELECT 1") != StatementCache.Key.fingerprint(of: "SELECT 2"))
    }

    @Test func aLoopReadPreparesEachTextOnceAndTellsTwinsApart() async throws {
        try await withStore { store in
            let (first, second) = Self.twins
            let answers = try await onEventLoop {
                try await store.read { db -> [String] in
                    let statement = try db.reusableStatement(sql: first)
                    // The same text built anew finds the same statement.
                    let again = try db.reusableStatement(sql: String(decoding: Array(first.utf8), as: UTF8.self))
                    #expect(statement === again)
                    // Not GRDB's cache: the loop's connection has its own.
                    #expect(statement !== (try db.cachedStatement(sql: first)))
                    let twin = try db.reusableStatement(sql: second)
                    #expect(twin !== statement)
                    return [try String.fetchOne(statement) ?? "", try String.fetchOne(twin) ?? ""]
                }
            }
            #expect(answers[0].hasPrefix("axx") && answers[1].hasPrefix("axy"))
            #expect(answers[0] != answers[1])
        }
    }

    @Test func aReadOffTheLoopsUsesGRDBsCache() async throws {
        try await withStore { store in
            let same = try await store.read { db in
                try db.reusableStatement(sql: "SELECT 1") === (try db.cachedStatement(sql: "SELECT 1"))
            }
            #expect(same)
        }
    }
}
