public import ChatPanelStore

/// The insights process's database: the dialogs' messages and their links to clients, the
/// stored summaries, and the site tracker's page views.
///
/// Every method is named after what the service does with it; every mutation runs in one
/// `BEGIN IMMEDIATE` transaction (the feeds are idempotent by their items' ids, the other
/// mutations by request id). Times come from the store's clock (``ChatPanelStore/ServiceStore/now()``).
///
/// ```swift
/// let store = try InsightsStore(path: "\(stateDirectory)/insights.sqlite")
/// let counts = try await store.appendMessages(messages)
/// ```
public struct InsightsStore: ServiceStore {
    /// The SQLite database underneath (the benchmark bulk-loads through it).
    public let database: SQLiteStore

    /// The store over an opened, migrated database.
    public init(database: SQLiteStore) {
        self.database = database
    }
}
