import ChatPanelProto
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelTesting
import Foundation
import GRDB
import GRDBSQLite
import NIOPosix
import Testing

@testable import ChatPanelStore

/// A temporary database folder for one test.
private func withStore<T>(
    migrations: StoreMigrations = counterMigrations, configuration: StoreConfiguration = StoreConfiguration(),
    _ body: (SQLiteStore, String) async throws -> T
) async throws -> T {
    let dir = "/tmp/cp-store-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = "\(dir)/test.sqlite"
    return try await body(try SQLiteStore(path: path, migrations: migrations, configuration: configuration), path)
}

private let counterMigrations: StoreMigrations = {
    var migrations = StoreMigrations()
    migrations.register(
        "test.0001.counter",
        sql: "CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0);")
    return migrations
}()

private func counter(_ store: SQLiteStore) async throws -> Int {
    try await store.read { db in try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE id = 1") ?? -1 }
}

/// Runs `body` as a task on an event loop thread, as an RPC handler runs.
private func onEventLoop<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    let executor = EventLoopTaskExecutor(eventLoop: MultiThreadedEventLoopGroup.singleton.next())
    return try await withTaskExecutorPreference(executor) {
        precondition(MultiThreadedEventLoopGroup.currentEventLoop != nil)
        return try await body()
    }
}

/// Bumps the counter and answers with its new value, as an Echo response.
@Sendable private func bump(_ db: Database) throws -> TestingV1.EchoResponse {
    try db.execute(sql: "UPDATE counter SET value = value + 1 WHERE id = 1")
    var response = TestingV1.EchoResponse()
    response.index = UInt32(try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE id = 1") ?? 0)
    return response
}

/// Opening, migrating and configuring a store.
@Suite struct StoreOpeningTests {
    @Test func opensInWALModeWithFullSyncAndMigrates() async throws {
        try await withStore { store, _ in
            // Pragmas of the writer connection, where the mutations run.
            let (journal, synchronous, busy) = try await store.write { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                    try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                    try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? -1
                )
            }
            #expect(journal == "wal")
            #expect(synchronous == 2)  // FULL
            #expect(busy == 5000)
            #expect(try await counter(store) == 0)
        }
    }

    @Test func reopeningRunsOnlyNewMigrations() async throws {
        try await withStore { store, path in
            _ = try await store.write(bump)
            var extended = counterMigrations
            extended.register("test.0002.counter-label", sql: "ALTER TABLE counter ADD COLUMN label TEXT NOT NULL DEFAULT 'x'")
            let reopened = try SQLiteStore(path: path, migrations: extended)
            #expect(try await counter(reopened) == 1)  // v1 did not run again
            let label = try await reopened.read { db in try String.fetchOne(db, sql: "SELECT label FROM counter") }
            #expect(label == "x")
            let applied = try await reopened.read { db in try DatabaseMigrator().appliedIdentifiers(db) }
            #expect(applied.contains("test.0002.counter-label"))
        }
    }

    @Test func aDatabaseFromBeforeTheKitsSecondStepGetsIt() async throws {
        try await withStore { store, path in
            _ = try await store.write(bump)
            // As a database written before store.0002 looks: its record table without the
            // payload column, the service's steps applied after the kit's first one.
            try await store.write { db in
                try db.execute(sql: "DROP TABLE rpc_idempotency")
                try db.execute(
                    sql: """
                        CREATE TABLE rpc_idempotency (
                            request_id TEXT PRIMARY KEY NOT NULL, method TEXT NOT NULL, response BLOB NOT NULL,
                            created_at_ms INTEGER NOT NULL
                        ) WITHOUT ROWID
                        """)
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'store.0002.idempotency-payload'")
            }
            let reopened = try SQLiteStore(path: path, migrations: counterMigrations)
            #expect(try await counter(reopened) == 1)
            let columns = try await reopened.read { db in try db.columns(in: "rpc_idempotency").map(\.name) }
            #expect(columns.contains("payload_digest"))
            _ = try await reopened.idempotentWrite(requestID: "after-upgrade", method: "/m/Bump", bump)
        }
    }

    @Test func aDatabaseFromANewerVersionIsRefusedWithAClearMessage() async throws {
        try await withStore { store, path in
            try await store.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('test.0099.from-the-future')")
            }
            let error = #expect(throws: StoreOpenError.self) { _ = try SQLiteStore(path: path, migrations: counterMigrations) }
            #expect(error?.description.contains("newer version of ChatPanel") == true, "\(String(describing: error))")
            #expect(error?.description.contains("test.0099.from-the-future") == true, "\(String(describing: error))")
        }
    }

    @Test func aRenamedMigrationIsNotRunAgain() async throws {
        try await withStore { store, path in
            _ = try await store.write(bump)
            // The same step, shipped under an older identifier.
            var old = StoreMigrations()
            old.register(
                "v1.counter_copy", sql: "CREATE TABLE counter_copy (value INTEGER); INSERT INTO counter_copy SELECT value FROM counter;")
            _ = try SQLiteStore(path: path, migrations: counterMigrations.appending(old))
            var renamed = StoreMigrations()
            renamed.register(
                "test.0002.counter-copy", renamedFrom: ["v1.counter_copy"],
                sql: "CREATE TABLE counter_copy (value INTEGER); INSERT INTO counter_copy SELECT value FROM counter;")
            // Were it run again, CREATE TABLE would fail on the existing table.
            let reopened = try SQLiteStore(path: path, migrations: counterMigrations.appending(renamed))
            let applied = try await reopened.read { db in try DatabaseMigrator().appliedIdentifiers(db) }
            #expect(applied.contains("test.0002.counter-copy"))
            #expect(!applied.contains("v1.counter_copy"))
            #expect(applied.contains("store.0001.idempotency"))
        }
    }

    @Test func theManifestChangesWhenAMigrationsSQLChanges() {
        var first = StoreMigrations()
        first.register("test.0001.a", sql: "CREATE TABLE a (x INTEGER)")
        var edited = StoreMigrations()
        edited.register("test.0001.a", sql: "CREATE TABLE a (x INTEGER, y INTEGER)")
        #expect(first.manifest.count == 1)
        #expect(first.manifest[0].hasPrefix("test.0001.a "))
        #expect(first.manifest != edited.manifest)
        #expect(first.manifest == first.manifest)
    }

    @Test func writesReadTheConfiguredClock() async throws {
        var configuration = StoreConfiguration()
        configuration.now = { 1_700_000_000_000 }
        try await withStore(configuration: configuration) { store, _ in
            #expect(store.now() == 1_700_000_000_000)
            _ = try await store.idempotentWrite(requestID: "r-1", method: "/m/Bump", bump)
            let stamped = try await store.read { db in try Int64.fetchOne(db, sql: "SELECT created_at_ms FROM rpc_idempotency") }
            #expect(stamped == 1_700_000_000_000)
        }
    }

    @Test func writesUseImmediateTransactions() async throws {
        try await withStore { store, _ in
            let inTransaction = try await store.write { db in db.isInsideTransaction }
            #expect(inTransaction)
        }
    }

    @Test func aFailedWriteLeavesNothingBehind() async throws {
        try await withStore { store, _ in
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await store.write { db -> Int in
                    _ = try bump(db)
                    throw Boom()
                }
            }
            let value = try await counter(store)
            #expect(value == 0)
        }
    }

    @Test func healthReportsServing() async throws {
        try await withStore { store, _ in
            let health = await store.componentHealth()
            #expect(health.status == .serving)
            #expect(health.name == "database")
        }
    }
}

/// Idempotent mutations keyed by request id.
@Suite struct IdempotencyTests {
    @Test func aRetryIsAppliedOnceAndGetsTheFirstAnswer() async throws {
        try await withStore { store, _ in
            let first = try await store.idempotentWrite(requestID: "r-1", method: "/m/Bump", bump)
            let retry = try await store.idempotentWrite(requestID: "r-1", method: "/m/Bump", bump)
            #expect(first.index == 1)
            #expect(retry == first)
            #expect(try await counter(store) == 1)
            let other = try await store.idempotentWrite(requestID: "r-2", method: "/m/Bump", bump)
            #expect(other.index == 2)
        }
    }

    @Test func concurrentRetriesApplyOnce() async throws {
        try await withStore { store, _ in
            let answers = try await withThrowingTaskGroup(of: TestingV1.EchoResponse.self) { group in
                for _ in 0..<8 { group.addTask { try await store.idempotentWrite(requestID: "same", method: "/m/Bump", bump) } }
                var all: [TestingV1.EchoResponse] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            #expect(Set(answers.map(\.index)) == [1])
            #expect(try await counter(store) == 1)
        }
    }

    @Test func anEmptyRequestIDRunsEveryTime() async throws {
        try await withStore { store, _ in
            _ = try await store.idempotentWrite(requestID: "", method: "/m/Bump", bump)
            _ = try await store.idempotentWrite(requestID: "", method: "/m/Bump", bump)
            #expect(try await counter(store) == 2)
        }
    }

    @Test func theKitsOwnMigrationsAreUnchanged() {
        #expect(
            SQLiteStore.kitMigrations.manifest == [
                "store.0001.idempotency dbe6f3798db89226",
                "store.0002.idempotency-payload a106f0cf8a10234b",
                "store.0003.panel-changes 6f6cd592aff20c1f",
            ])
    }

    @Test func reusingAnIDWithAnotherPayloadIsRefusedAndTheSamePayloadGetsTheFirstAnswer() async throws {
        try await withStore { store, _ in
            let first = try await RequestDigest.$current.withValue(RequestDigest.of([1, 2, 3])) {
                try await store.idempotentWrite(requestID: "r-1", method: "/m/Bump", bump)
            }
            await #expect(throws: StoreError.requestIDReusedWithAnotherPayload("r-1")) {
                try await RequestDigest.$current.withValue(RequestDigest.of([1, 2, 4])) {
                    _ = try await store.idempotentWrite(requestID: "r-1", method: "/m/Bump", bump)
                }
            }
            let again = try await RequestDigest.$current.withValue(RequestDigest.of([1, 2, 3])) {
                try await store.idempotentWrite(requestID: "r-1", method: "/m/Bump", bump)
            }
            #expect(again == first)
            #expect(try await counter(store) == 1)
            #expect(StoreError.requestIDReusedWithAnotherPayload("r-1").rpcError.code == .failedPrecondition)
        }
    }

    @Test func reusingAnIDForAnotherMethodIsRefused() async throws {
        try await withStore { store, _ in
            _ = try await store.idempotentWrite(requestID: "r-1", method: "/m/Bump", bump)
            do {
                _ = try await store.idempotentWrite(requestID: "r-1", method: "/m/Other", bump)
                Issue.record("expected FAILED_PRECONDITION")
            } catch let error as StoreError {
                #expect(error.isRequestIDReused)
                #expect(error.rpcError.code == .failedPrecondition)
                #expect(error.rpcError.message.contains("/m/Bump"))
            }
            #expect(try await counter(store) == 1)
        }
    }

    @Test func aFailedMutationIsNotRemembered() async throws {
        try await withStore { store, _ in
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await store.idempotentWrite(requestID: "r-1", method: "/m/Bump") { db -> TestingV1.EchoResponse in
                    _ = try bump(db)
                    throw Boom()
                }
            }
            let retry = try await store.idempotentWrite(requestID: "r-1", method: "/m/Bump", bump)
            #expect(retry.index == 1)
            #expect(try await counter(store) == 1)
        }
    }

    @Test func pruningForgetsOldRecords() async throws {
        try await withStore { store, _ in
            _ = try await store.idempotentWrite(requestID: "r-1", method: "/m/Bump", bump)
            #expect(try await store.pruneIdempotencyRecords(before: 0) == 0)
            #expect(try await store.pruneIdempotencyRecords(before: UTCMilliseconds.now() + 1) == 1)
            let again = try await store.idempotentWrite(requestID: "r-1", method: "/m/Bump", bump)
            #expect(again.index == 2)
        }
    }
}

/// Where reads run: inline on the event loop thread of an RPC handler, on a GRDB reader queue
/// for any other caller, never on Swift's cooperative pool.
@Suite struct ReadPlacementTests {
    /// Whether a read's body ran on an event loop thread.
    @Sendable private static func isOnEventLoop(_ db: Database) throws -> Bool {
        _ = try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE id = 1")
        return MultiThreadedEventLoopGroup.currentEventLoop != nil
    }

    @Test func aReadFromAPlainTaskDoesNotRunOnAnEventLoop() async throws {
        try await withStore { store, _ in
            let onEventLoop = try await store.read(Self.isOnEventLoop)
            #expect(!onEventLoop)
            #expect(try await counter(store) == 0)
        }
    }

    @Test func aReadFromAnRPCHandlerRunsOnItsEventLoopThread() async throws {
        try await withStore { store, _ in
            var router = RPCRouter()
            router.register(TestingV1.Echo.echo) { _, _ in
                var response = TestingV1.EchoResponse()
                response.text = try await store.read(Self.isOnEventLoop) ? "event loop" : "elsewhere"
                return response
            }
            try await withTemporaryDirectory { directory in
                try await withLiveServer(router: router, in: directory, name: "store") { _, socket in
                    let client = RPCClient(configuration: RPCClientConfiguration(socketPath: socket))
                    let response = try await client.unary(TestingV1.Echo.echo, TestingV1.EchoRequest())
                    await client.close()
                    #expect(response.text == "event loop")
                }
            }
        }
    }
}

/// Reads on an event loop thread run on that loop's own read-only connection, one transaction
/// per read: each read sees every write committed before it, and a failed or writing read
/// leaves the connection as it found it.
@Suite struct LoopReaderTests {
    @Test func eachReadSeesTheWritesCommittedBeforeIt() async throws {
        try await withStore { store, _ in
            // The same loop's connection reads again after every write: a snapshot kept open
            // past its read would go on answering 0.
            for expected in 0...3 {
                #expect(try await onEventLoop { try await counter(store) } == expected)
                _ = try await store.write(bump)
            }
        }
    }

    @Test func everyConnectionMapsTheFileAsConfiguredAndReadsWhatIsCommittedThroughTheMap() async throws {
        /// The map of a loop's reader, of a pool reader (a read off the loops) and of the writer.
        @Sendable func mmapSizes(_ store: SQLiteStore) async throws -> [Int] {
            @Sendable func size(_ db: Database) throws -> Int { try Int.fetchOne(db, sql: "PRAGMA mmap_size") ?? -1 }
            return [
                try await onEventLoop { try await store.read(size) }, try await store.read(size), try await store.write(size),
            ]
        }
        try await withStore { store, path in
            // The default: the most Debian's SQLite maps (SQLITE_MAX_MMAP_SIZE).
            #expect(try await mmapSizes(store) == Array(repeating: 0x7FFF_0000, count: 3))
            // Each write is copied into the database file before the next read, so that the read
            // finds it through the map, not in the WAL.
            let checkpointer = try DatabaseQueue(path: path)
            for expected in 0...2 {
                #expect(try await onEventLoop { try await counter(store) } == expected)
                _ = try await store.write(bump)
                _ = try await checkpointer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            }
        }
        var unmapped = StoreConfiguration()
        unmapped.memoryMapBytes = 0
        try await withStore(configuration: unmapped) { store, _ async throws in
            #expect(try await mmapSizes(store) == [0, 0, 0])
        }
    }

    @Test func aReadThatThrowsLeavesTheConnectionUsable() async throws {
        struct Boom: Error {}
        try await withStore { store, _ in
            await #expect(throws: Boom.self) {
                try await onEventLoop {
                    try await store.read { db -> Int in
                        _ = try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE id = 1")
                        throw Boom()
                    }
                }
            }
            _ = try await store.write(bump)
            #expect(try await onEventLoop { try await counter(store) } == 1)
        }
    }

    @Test func aReadCannotWrite() async throws {
        try await withStore { store, _ async throws in
            await #expect(throws: DatabaseError.self) {
                try await onEventLoop {
                    try await store.read { db -> Int in
                        try db.execute(sql: "UPDATE counter SET value = 7 WHERE id = 1")
                        return db.changesCount
                    }
                }
            }
            #expect(try await counter(store) == 0)
            #expect(try await onEventLoop { try await counter(store) } == 0)
        }
    }
}

/// SQLite's process-wide settings, applied before the first connection opens.
@Suite struct SQLiteProcessSettingsTests {
    @Test func sqliteKeepsNoMemoryStatistics() async throws {
        try await withStore { store, _ in
            _ = try await store.write(bump)
            #expect(try await counter(store) == 1)
            // With the statistics on, SQLite counts every byte it holds, a connection's
            // caches among them: more than zero while a store is open.
            #expect(sqlite3_memory_used() == 0)
        }
    }
}

/// Statements prepared once per connection: on an event loop's own connection from its cache,
/// which tells texts apart whole even when their fingerprints agree; elsewhere from GRDB's.
@Suite struct StatementCacheTests {
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
        try await withStore { store, _ in
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
        try await withStore { store, _ in
            let same = try await store.read { db in
                try db.reusableStatement(sql: "SELECT 1") === (try db.cachedStatement(sql: "SELECT 1"))
            }
            #expect(same)
        }
    }
}
