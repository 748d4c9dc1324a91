public import ChatPanelStore

/// The gateway's own database: managers' layouts, module settings, merge workflows.
public struct GatewayStore: ServiceStore {
    /// The underlying SQLite store.
    public let database: SQLiteStore
    /// The layouts and settings last read or written (the gateway is the database's only writer).
    let cache = ConfigurationCache()

    /// The store over an opened, migrated database.
    public init(database: SQLiteStore) {
        self.database = database
    }
}
