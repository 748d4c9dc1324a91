public import ChatPanelProto
import ChatPanelRPC
import Foundation
public import GRDB
import Logging
import NIOPosix

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
/// migrations.register("v1.notes") { db in try db.execute(sql: "CREATE TABLE note (...)") }
/// let store = try SQLiteStore(path: "\(stateDirectory)/tasks.sqlite", migrations: migrations)
/// let count = try await store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM note") ?? 0 }
/// ```
public final class SQLiteStore: Sendable {
    /// The connection pool (one writer, concurrent readers).
    public let pool: DatabasePool
    /// The database file.
    public let path: String

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(path: String, migrations: StoreMigrations, configuration: StoreConfiguration = StoreConfiguration()) throws {
        var config = Configuration()
        config.busyMode = .timeout(Double(configuration.busyTimeout.milliseconds) / 1000)
        config.maximumReaderCount = configuration.maximumReaderCount
        let synchronous = configuration.synchronousFull ? "FULL" : "NORMAL"
        let prepare = configuration.prepareDatabase
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try prepare?(db)
        }
        self.pool = try DatabasePool(path: path, configuration: config)
        // GRDB sets NORMAL when it opens the pool in WAL mode; the writer connection is the one
        // that commits, so it is where the durability level is set.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        self.path = path
        var migrator = DatabaseMigrator()
        migrator.registerMigration("chatpanel.store.idempotency") { db in
            try db.execute(
                sql: """
                    CREATE TABLE rpc_idempotency (
                        request_id TEXT PRIMARY KEY NOT NULL,
                        method TEXT NOT NULL,
                        response BLOB NOT NULL,
                        created_at_ms INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX rpc_idempotency_created ON rpc_idempotency(created_at_ms);
                    """)
        }
        for (identifier, body) in migrations.steps {
            migrator.registerMigration(identifier, migrate: body)
        }
        try migrator.migrate(pool)
    }

    /// Reads in a snapshot.
    ///
    /// A caller running on a NIO event loop thread (an RPC handler: the server runs them there)
    /// reads right there, on a reader connection of the pool: the panel's reads are short and
    /// index-driven, and a hop to a reader queue and back (two thread wake-ups) costs more
    /// than most of them. Any other caller (a background
    /// job, a task on Swift's cooperative pool) hops to a GRDB reader queue, so SQLite never
    /// blocks the cooperative pool. Reads in WAL mode never wait for writers.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if MultiThreadedEventLoopGroup.currentEventLoop != nil {
            return try await mapErrors { try pool.read(body) }
        }
        return try await mapErrors { try await pool.read(body) }
    }

    /// Writes in one `BEGIN IMMEDIATE` transaction, on the writer queue; rolled back if `body` throws.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await mapErrors { try await pool.write(body) }
    }

    /// Applies a mutation once per request id: the first call runs `body` and stores its
    /// response in the same transaction; a retry with the same id returns that stored response
    /// without running `body` again. An empty request id runs `body` every time.
    ///
    /// - Throws: `FAILED_PRECONDITION` when the id was used before for another method.
    public func idempotentWrite<Response: ProtoMessage>(
        requestID: String, method: String, _ body: @escaping @Sendable (Database) throws -> Response
    ) async throws -> Response {
        guard !requestID.isEmpty else { return try await write(body) }
        return try await write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT method, response FROM rpc_idempotency WHERE request_id = ?", arguments: [requestID])
            {
                let storedMethod: String = row["method"]
                guard storedMethod == method else {
                    throw RPCError.failedPrecondition("request id \(requestID) was already used for \(storedMethod)")
                }
                let bytes: [UInt8] = [UInt8](row["response"] as Data)
                return try Response(serializedBytes: bytes)
            }
            let response = try body(db)
            try db.execute(
                sql: "INSERT INTO rpc_idempotency (request_id, method, response, created_at_ms) VALUES (?, ?, ?, ?)",
                arguments: [requestID, method, Data(try response.serializedBytes()), UTCMilliseconds.now()])
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

    /// The database's health for `Health/Check`.
    public func health() async -> HealthV1.ComponentHealth {
        do {
            _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
            return HealthV1.ComponentHealth(name: "database", status: .serving)
        } catch {
            return HealthV1.ComponentHealth(name: "database", status: .notServing, detail: "\(error)")
        }
    }

    private func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw RPCError.unavailable("the database is busy; retry")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw RPCError(code: .resourceExhausted, message: "the database disk is full")
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
    /// Concurrent readers. Default 4.
    public var maximumReaderCount: Int = 4
    /// Runs on every connection as it opens, before migrations and queries: registers what
    /// SQL needs on each connection (a custom FTS5 tokenizer, a function). Default: nothing.
    public var prepareDatabase: (@Sendable (Database) throws -> Void)? = nil

    /// Defaults.
    public init() {}
}

/// A service's migrations, in order. Once shipped, a migration is never edited: changes
/// come as new migrations.
public struct StoreMigrations: Sendable {
    var steps: [(String, @Sendable (Database) throws -> Void)] = []

    /// No migrations yet.
    public init() {}

    /// Adds a migration with a unique, stable identifier.
    public mutating func register(_ identifier: String, _ body: @escaping @Sendable (Database) throws -> Void) {
        steps.append((identifier, body))
    }
}

/// Times are stored as UTC milliseconds since 1970.
public enum UTCMilliseconds {
    /// Now, in UTC milliseconds.
    public static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
