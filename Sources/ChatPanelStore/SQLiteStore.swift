import CChatPanelSQLite
public import ChatPanelProto
import CoreMetrics
import Foundation
import GRDBSQLite
public import GRDB
import Logging
import NIOPosix
import Synchronization

/// A service's SQLite database: opened in WAL mode, migrated on open, written in
/// `BEGIN IMMEDIATE` transactions, with idempotent mutations keyed by request id.
///
/// SQLite work never runs on Swift's cooperative thread pool: writes run on GRDB's writer
/// queue, reads on the event loop thread of the RPC call that asks (see ``read(_:)``) or on
/// GRDB's reader queues. Each service wraps one `SQLiteStore` in a `*Store` type
/// whose methods are named after what they do:
///
/// ```swift
/// var migrations = StoreMigrations()
/// migrations.register("notes.0001.notes", sql: "CREATE TABLE note (...)")
/// let store = try SQLiteStore(path: "\(stateDirectory)/tasks.sqlite", migrations: migrations)
/// let createdAt = store.now()
/// let count = try await store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM note") ?? 0 }
/// ```
public final class SQLiteStore: Sendable {
    /// The connection pool (one writer, concurrent readers).
    public let pool: DatabasePool
    /// The database file.
    public let path: String
    /// The clock every write of this store reads, in UTC milliseconds (tests fix it through
    /// ``StoreConfiguration/now``).
    public let now: @Sendable () -> Int64
    /// Wakes the change feed's watchers after each commit that recorded changes.
    public let changeSignal = ChangeSignal()
    /// How the event loops' read-only connections open (``read(_:)``).
    private let readerConfiguration: Configuration
    /// One read-only connection per event loop that has read, opened at its first read.
    private let loopReaders = Mutex<[ObjectIdentifier: LoopReader]>([:])

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(path: String, migrations: StoreMigrations, configuration: StoreConfiguration = StoreConfiguration()) throws {
        SQLiteProcessSettings.apply()
        var config = Configuration()
        let busy = configuration.busyTimeout.components
        config.busyMode = .timeout(Double(busy.seconds) + Double(busy.attoseconds) / 1e18)
        config.maximumReaderCount = configuration.maximumReaderCount
        let synchronous = configuration.synchronousFull ? "FULL" : "NORMAL"
        let prepare = configuration.prepareDatabase
        let mapped = configuration.memoryMapBytes
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON; PRAGMA mmap_size = \(mapped)")
            try prepare?(db)
        }
        self.pool = try DatabasePool(path: path, configuration: config)
        var readerConfiguration = config
        readerConfiguration.readonly = true
        readerConfiguration.label = "chatpanel.loop-reader"
        self.readerConfiguration = readerConfiguration
        // GRDB sets NORMAL when it opens the pool in WAL mode; the writer connection is the one
        // that commits, so it is where the durability level is set.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        self.path = path
        self.now = configuration.now
        let all = Self.kitMigrations.appending(migrations)
        try Self.applyRenames(all.steps, in: pool)
        let unknown = try pool.read { db in try Self.appliedMigrations(db) }.filter { !all.knownIdentifiers.contains($0) }
        guard unknown.isEmpty else {
            throw StoreOpenError.newerSchema(path: path, unknownMigrations: unknown)
        }
        var migrator = DatabaseMigrator()
        for step in all.steps {
            migrator.registerMigration(step.identifier) { db in try db.execute(sql: step.sql) }
        }
        try migrator.migrate(pool)
        pool.add(transactionObserver: ChangeCommitObserver(signal: changeSignal), extent: .databaseLifetime)
    }

    /// The store kit's own tables, migrated before every service's: the idempotency records and
    /// the change feed.
    public static let kitMigrations: StoreMigrations = {
        var kit = StoreMigrations()
        kit.register(
            "store.0001.idempotency", renamedFrom: ["chatpanel.store.idempotency"],
            sql: """
                CREATE TABLE rpc_idempotency (
                    request_id TEXT PRIMARY KEY NOT NULL,
                    method TEXT NOT NULL,
                    response BLOB NOT NULL,
                    created_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX rpc_idempotency_created ON rpc_idempotency(created_at_ms);
                """)
        // The request's fingerprint (RequestDigest), NULL for records written before it.
        kit.register("store.0002.idempotency-payload", sql: "ALTER TABLE rpc_idempotency ADD COLUMN payload_digest INTEGER;")
        // The change feed (PanelChange): written by the transactions that make the changes.
        kit.register(
            "store.0003.panel-changes",
            sql: """
                CREATE TABLE panel_change (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    widget TEXT NOT NULL,
                    client_id INTEGER NOT NULL DEFAULT 0,
                    dialog_id TEXT NOT NULL DEFAULT '',
                    visitor_id TEXT NOT NULL DEFAULT '',
                    at_ms INTEGER NOT NULL
                );
                """)
        return kit
    }()

    /// The migrations applied to a database, in the order they ran.
    static func appliedMigrations(_ db: Database) throws -> [String] {
        guard try db.tableExists("grdb_migrations") else { return [] }
        return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
    }

    /// A consistent copy of the database at `target` (SQLite `VACUUM INTO` on a connection of
    /// its own: it reads one snapshot and does not hold up writers), made on a thread of NIO's
    /// blocking pool; returns the migrations the copy has applied. `target` must not exist.
    public func backup(into target: String) async throws -> [String] {
        let source = path
        return try await NIOThreadPool.singleton.runIfActive {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: source, configuration: configuration)
            defer { try? queue.close() }
            try queue.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [target]) }
            let copy = try DatabaseQueue(path: target, configuration: configuration)
            defer { try? copy.close() }
            return try copy.read { db in try Self.appliedMigrations(db) }
        }
    }

    /// The migrations applied to the database file at `path`, opened read-only.
    public static func appliedMigrations(path: String) throws -> [String] {
        SQLiteProcessSettings.apply()
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in try appliedMigrations(db) }
    }

    /// Records a renamed migration under its new identifier where the database applied it
    /// under a former one, so the migrator does not run it again.
    private static func applyRenames(_ steps: [StoreMigrations.Step], in pool: DatabasePool) throws {
        let renames = steps.flatMap { step in step.formerIdentifiers.map { (old: $0, new: step.identifier) } }
        guard !renames.isEmpty else { return }
        try pool.write { db in
            guard try db.tableExists("grdb_migrations") else { return }
            for rename in renames {
                try db.execute(
                    sql: "UPDATE grdb_migrations SET identifier = ? WHERE identifier = ?", arguments: [rename.new, rename.old])
            }
        }
    }

    /// Reads in a snapshot.
    ///
    /// A caller running on a NIO event loop thread (an RPC handler: the server runs them there)
    /// reads right there, on a read-only connection of its own loop: the panel's reads are
    /// short and index-driven, and a hop to a reader queue and back (two thread wake-ups) costs
    /// more than most of them, as does the pool's bookkeeping (a lock, a connection checked
    /// out and back, `BEGIN` and `COMMIT` parsed anew, the schema version read). Any other
    /// caller (a background job, a task on Swift's cooperative pool) hops to a GRDB reader
    /// queue, so SQLite never blocks the cooperative pool. Reads in WAL mode never wait for
    /// writers.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if MultiThreadedEventLoopGroup.currentEventLoop != nil { return try readNow(body) }
        return try await mapErrors { try await pool.read(body) }
    }

    /// Reads in a snapshot at once, for an RPC handler registered to answer inside the read of
    /// its request (`RPCRouter.register(_:group:synchronous:)`): on an event loop thread it
    /// reads on that loop's own connection, as ``read(_:)`` does. Called anywhere else it
    /// blocks its thread on one of GRDB's reader connections: never call it from a task on
    /// Swift's cooperative pool (use ``read(_:)``).
    public func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        // The answer is moved out once, from a slot on the stack: returned through the generic
        // layers below (the queue's `sync`, an optional of the result each), a large message
        // such as a client card was copied and destroyed twice, with every string and array in
        // it retained and released (and an optional of it is a metadata look-up each time).
        try withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { buffer in
            let slot = buffer.baseAddress!
            var answered = false
            func answer(_ db: Database) throws {
                slot.initialize(to: try body(db))
                answered = true
            }
            do {
                try mapErrorsNow {
                    if let loop = MultiThreadedEventLoopGroup.currentEventLoop {
                        try loopReader(for: ObjectIdentifier(loop)).read(answer)
                    } else {
                        try pool.read(answer)
                    }
                }
            } catch {
                // The body answered, and the commit failed.
                if answered { slot.deinitialize(count: 1) }
                throw error
            }
            return slot.move()
        }
    }

    /// The read-only connection of the event loop `key` names, opened at its first read.
    private func loopReader(for key: ObjectIdentifier) throws -> LoopReader {
        if let reader = loopReaders.withLock({ $0[key] }) { return reader }
        // Opened outside the lock: only the loop's own thread opens its reader, so none is lost.
        let reader = try LoopReader(path: path, configuration: readerConfiguration)
        loopReaders.withLock { $0[key] = reader }
        return reader
    }

    /// Writes in one `BEGIN IMMEDIATE` transaction, on the writer queue; rolled back if `body` throws.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let started = ContinuousClock.now
        defer { StoreMetrics.writeDuration.recordInterval(since: started) }
        return try await mapErrors { try await pool.write(body) }
    }

    /// Applies a mutation once per request id: the first call runs `body` and stores its
    /// response in the same transaction; a retry with the same id returns that stored response
    /// without running `body` again. An empty request id runs `body` every time.
    ///
    /// - Throws: ``StoreError/requestIDReused(_:firstMethod:)`` when the id was used before for
    ///   another method, ``StoreError/requestIDReusedWithAnotherPayload(_:)`` when it was used
    ///   for this method with another payload (as the RPC server's ``RequestDigest`` says).
    public func idempotentWrite<Response: ProtoMessage>(
        requestID: String, method: String, _ body: @escaping @Sendable (Database) throws -> Response
    ) async throws -> Response {
        guard !requestID.isEmpty else { return try await write(body) }
        // Read here, in the call's task: the transaction runs on the writer's queue.
        let digest = RequestDigest.current.map { Int64(bitPattern: $0) }
        return try await write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT method, response, payload_digest FROM rpc_idempotency WHERE request_id = ?", arguments: [requestID])
            {
                let storedMethod: String = row["method"]
                guard storedMethod == method else {
                    throw StoreError.requestIDReused(requestID, firstMethod: storedMethod)
                }
                let storedDigest: Int64? = row["payload_digest"]
                if let storedDigest, let digest, storedDigest != digest {
                    throw StoreError.requestIDReusedWithAnotherPayload(requestID)
                }
                let bytes: [UInt8] = [UInt8](row["response"] as Data)
                StoreMetrics.replays.increment()
                return try Response(serializedBytes: bytes)
            }
            let response = try body(db)
            try db.execute(
                sql: """
                    INSERT INTO rpc_idempotency (request_id, method, response, created_at_ms, payload_digest)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [requestID, method, Data(try response.serializedBytes()), self.now(), digest])
            return response
        }
    }

    /// Forgets idempotency records older than `cutoff` (UTC ms); returns how many.
    @discardableResult
    public func pruneIdempotencyRecords(before cutoff: Int64) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM rpc_idempotency WHERE created_at_ms < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    /// SQLite's `PRAGMA integrity_check` on the database file at `path`, opened read-only (no
    /// migration, no write): `["ok"]` for a sound database, else the problems it lists.
    public static func integrityCheck(path: String) throws -> [String] {
        SQLiteProcessSettings.apply()
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Sets the size gauges of the database and its WAL file (`chatpanel_store_database_bytes`,
    /// `chatpanel_store_wal_bytes`): called before the process's metrics are exported.
    public func recordSizes() {
        let attributes = { (path: String) -> Int in
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        }
        StoreMetrics.databaseBytes.record(attributes(path))
        StoreMetrics.walBytes.record(attributes(path + "-wal"))
        let fileSystem = try? FileManager.default.attributesOfFileSystem(forPath: (path as NSString).deletingLastPathComponent)
        if let free = (fileSystem?[.systemFreeSize] as? NSNumber)?.int64Value {
            StoreMetrics.filesystemAvailableBytes.record(free)
        }
    }

    /// Whether the database answers a trivial read; throws what it fails with.
    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    private func mapErrorsNow<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw Self.storeError(for: error) }
    }

    private func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw Self.storeError(for: error) }
    }

    /// The store's error for SQLite's lock and disk-full errors; any other error as it is.
    private static func storeError(for error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.busy
        case .SQLITE_FULL: return StoreError.diskFull
        default: return error
        }
    }
}

/// Settings of a store.
public struct StoreConfiguration: Sendable {
    /// How long a write waits for a lock before giving up. Default 5 s.
    public var busyTimeout: Duration = .seconds(5)
    /// `synchronous=FULL` (survives power loss; for money and orders) instead of `NORMAL`
    /// (survives process crashes). Default true.
    public var synchronousFull: Bool = true
    /// Concurrent readers of the pool, which serves reads made off the event loops; each event
    /// loop that reads has one read-only connection of its own besides. Default 4.
    public var maximumReaderCount: Int = 4
    /// The store's clock in UTC milliseconds. Default the system clock; tests fix it.
    public var now: @Sendable () -> Int64 = UTCMilliseconds.now
    /// How much of the database file each connection (the writer, the pool's readers, each
    /// event loop's reader) maps into memory (SQLite's `mmap_size`), so that a read finds a page
    /// not in its cache without a `pread` system call and a copy: a client card read about seven
    /// pages that way. The map only reserves address space (the pages are the kernel's page
    /// cache, shared by every connection); 0 turns it off. Default 2 GiB less 64 KiB, the most
    /// Debian's SQLite maps (`SQLITE_MAX_MMAP_SIZE`, to which a bigger value is cut): a part of
    /// the file past the map is read with `pread` again, and at a million clients the tasks
    /// database holds 1.5 GB.
    public var memoryMapBytes: Int = 0x7FFF_0000
    /// Runs on every connection as it opens, before migrations and queries: registers what
    /// SQL needs on each connection (a custom FTS5 tokenizer, a function). Default: nothing.
    public var prepareDatabase: (@Sendable (Database) throws -> Void)? = nil

    /// Defaults.
    public init() {}
}

/// A service's migrations, in order: SQL scripts with identifiers of one scheme,
/// `<service>.<NNNN>.<what>` (`tasks.0002.notes`). Once shipped, a migration is never edited:
/// changes come as new migrations. ``manifest`` fingerprints each script, and every service's
/// suite pins its manifest, so an edit to a shipped migration fails a test.
public struct StoreMigrations: Sendable {
    struct Step: Sendable {
        let identifier: String
        let formerIdentifiers: [String]
        let sql: String
    }

    var steps: [Step] = []

    /// No migrations yet.
    public init() {}

    /// Adds a migration: `sql` runs once, in a transaction, in registration order.
    /// `renamedFrom` lists identifiers the same step was shipped under before; a database that
    /// applied it under one of those is not migrated again.
    public mutating func register(_ identifier: String, renamedFrom formerIdentifiers: [String] = [], sql: String) {
        precondition(!steps.contains { $0.identifier == identifier }, "migration \(identifier) is registered twice")
        steps.append(Step(identifier: identifier, formerIdentifiers: formerIdentifiers, sql: sql))
    }

    /// Every identifier these migrations answer to, former ones included.
    public var knownIdentifiers: Set<String> {
        Set(steps.flatMap { [$0.identifier] + $0.formerIdentifiers })
    }

    /// These migrations followed by `later`'s.
    public func appending(_ later: StoreMigrations) -> StoreMigrations {
        var all = self
        for step in later.steps { all.register(step.identifier, renamedFrom: step.formerIdentifiers, sql: step.sql) }
        return all
    }

    /// One line per migration, in order: its identifier and a fingerprint of its SQL (64-bit
    /// FNV-1a, hexadecimal). A test pins it: a changed line means a shipped migration was edited.
    public var manifest: [String] {
        steps.map { step in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in step.sql.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            let hex = String(hash, radix: 16)
            return "\(step.identifier) \(String(repeating: "0", count: 16 - hex.count))\(hex)"
        }
    }
}

/// Times are stored as UTC milliseconds since 1970.
public enum UTCMilliseconds {
    /// Now, in UTC milliseconds.
    public static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

/// Why a database could not be opened.
public enum StoreOpenError: Error, CustomStringConvertible {
    /// The database was migrated by a newer version of ChatPanel.
    case newerSchema(path: String, unknownMigrations: [String])

    public var description: String {
        switch self {
        case .newerSchema(let path, let unknown):
            "\(path) was written by a newer version of ChatPanel (migrations this binary does not know: "
                + "\(unknown.joined(separator: ", "))); run that version, or restore a backup taken with this one"
        }
    }
}

/// What the store kit records, through swift-metrics.
public enum StoreMetrics {
    /// Retries answered with the first answer.
    static let replays = CoreMetrics.Counter(label: "chatpanel_store_idempotent_replays_total")
    /// How long write transactions take, waiting for the writer included.
    static let writeDuration = CoreMetrics.Timer(label: "chatpanel_store_write_duration_seconds", preferredDisplayUnit: .seconds)
    static let databaseBytes = Gauge(label: "chatpanel_store_database_bytes")
    static let walBytes = Gauge(label: "chatpanel_store_wal_bytes")
    /// Free space on the database's file system, for a disk alert without a node exporter.
    static let filesystemAvailableBytes = Gauge(label: "chatpanel_store_filesystem_available_bytes")

    /// Makes every series of the store kit, so that a process exports them (the replay counter
    /// at 0) before its first write or replay, as Prometheus expects of a counter. Call once the
    /// process chose its metrics backend: a metric made before that records nowhere.
    public static func prepare() {
        _ = replays
        _ = writeDuration
        _ = databaseBytes
        _ = walBytes
        _ = filesystemAvailableBytes
    }
}

extension CoreMetrics.Timer {
    fileprivate func recordInterval(since start: ContinuousClock.Instant) {
        let (seconds, attoseconds) = start.duration(to: .now).components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// A read-only connection used by one event loop's thread only: each read is one deferred
/// transaction, begun and committed by statements prepared once. While it reads, its
/// statement cache is current on the thread (``Database/reusableStatement(sql:)``).
///
/// The schema is fixed while a store is open (migrations run before it serves), so the
/// prepared statements stay valid; SQLite re-prepares a statement itself should the schema
/// still change.
private final class LoopReader: Sendable {
    private let queue: DatabaseQueue
    private let statements = StatementCache()

    init(path: String, configuration: Configuration) throws {
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    func read(_ body: (Database) throws -> Void) throws {
        try queue.inDatabase { db in
            statements.owner = ObjectIdentifier(db)
            try StatementCache.withCurrent(statements) {
                try step("BEGIN DEFERRED TRANSACTION", in: db)
                do {
                    try body(db)
                    try step("COMMIT TRANSACTION", in: db)
                } catch {
                    if db.isInsideTransaction {
                        try? step("ROLLBACK TRANSACTION", in: db)
                    }
                    throw error
                }
            }
        }
    }

    /// Runs one of the transaction's own statements, prepared once, with SQLite's step and reset:
    /// GRDB's `execute()` took about 2 400 instructions for each (arguments checked, statement
    /// observers told), none of which a read-only connection with no observers needs. Whether
    /// a transaction is open is SQLite's to say (`Database.isInsideTransaction` asks it).
    private func step(_ sql: String, in db: Database) throws {
        let statement = try statements.statement(sql, in: db).sqliteStatement
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE else { throw DatabaseError.failed(code, on: db.sqliteConnection, sql: sql) }
    }
}

/// SQLite's settings for the whole process, applied before the store kit opens the process's
/// first connection: SQLite takes them only before it initializes.
enum SQLiteProcessSettings {
    /// Whether they took: false when SQLite was initialized before (another library opened a
    /// connection first), and runs with its defaults.
    static let applied: Bool = {
        // Memory statistics off: with them on, every sqlite3_malloc and sqlite3_free takes a
        // process-wide mutex to count bytes (about 70 of each per client card).
        cp_sqlite_disable_memory_statistics() == SQLITE_OK
    }()

    /// Applies them, once.
    static func apply() { _ = applied }
}
