public import ChatPanelStore

/// The gateway's own database: managers' layouts, module settings, merge workflows.
public struct GatewayStore: Sendable {
    /// The underlying SQLite store.
    public let database: SQLiteStore
    /// The layouts and settings last read or written (the gateway is the database's only writer).
    let cache = ConfigurationCache()

    /// Opens and migrates the database at `path`.
    public init(path: String) throws {
        self.database = try SQLiteStore(path: path, migrations: Self.migrations)
    }
}
