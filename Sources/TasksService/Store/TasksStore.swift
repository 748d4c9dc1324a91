public import ChatPanelProto
public import ChatPanelStore

/// The tasks process's database: tasks, notes, and the record of clients moved into others.
///
/// Every method is named after what the service does with it; every mutation runs in one
/// `BEGIN IMMEDIATE` transaction through ``SQLiteStore/idempotentWrite(requestID:method:_:)``,
/// so a retry with the same request id is applied once.
///
/// ```swift
/// let store = try TasksStore(path: "\(configuration.stateDirectory)/tasks.sqlite")
/// let router = TasksService.makeRouter(store: store)
/// ```
public struct TasksStore: Sendable {
    /// The SQLite database underneath (the benchmark bulk-loads through it).
    public let database: SQLiteStore
    /// The clock, in UTC ms; tests may fix it.
    let now: @Sendable () -> Int64

    /// Opens (creating and migrating if needed) the database at `path`.
    public init(
        path: String, configuration: StoreConfiguration = StoreConfiguration(),
        now: @escaping @Sendable () -> Int64 = { UTCMilliseconds.now() }
    ) throws {
        self.database = try SQLiteStore(path: path, migrations: Self.migrations, configuration: configuration)
        self.now = now
    }

    /// The database's health for `Health/Check`.
    public func health() async -> HealthV1.ComponentHealth {
        await database.health()
    }
}
