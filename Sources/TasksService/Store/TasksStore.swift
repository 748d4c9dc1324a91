public import ChatPanelStore

/// The tasks process's database: tasks, notes, and the record of clients moved into others.
///
/// Every method is named after what the service does with it; every mutation runs in one
/// `BEGIN IMMEDIATE` transaction through ``ChatPanelStore/SQLiteStore/idempotentWrite(requestID:method:_:)``,
/// so a retry with the same request id is applied once. Times come from the store's clock
/// (``ChatPanelStore/ServiceStore/now()``), which tests fix through the store configuration.
///
/// ```swift
/// let store = try TasksStore(path: "\(stateDirectory)/tasks.sqlite")
/// let tasks = try await store.listTasks(query)
/// ```
public struct TasksStore: ServiceStore {
    /// The SQLite database underneath (the benchmark bulk-loads through it).
    public let database: SQLiteStore

    /// The store over an opened, migrated database.
    public init(database: SQLiteStore) {
        self.database = database
    }
}
