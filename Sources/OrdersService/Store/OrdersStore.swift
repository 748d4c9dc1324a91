public import ChatPanelProto
public import ChatPanelStore
import GRDB

/// The orders process's database: the catalog (price types, categories, products and their
/// full-text index), the dialogs' and clients' product lists, the current carts, and the
/// record of owners moved into clients.
///
/// Every method is named after what the service does with it; every mutation runs in one
/// `BEGIN IMMEDIATE` transaction through ``SQLiteStore/idempotentWrite(requestID:method:_:)``,
/// so a retry with the same request id is applied once. The catalog's FTS5 tokenizer
/// (``CatalogTokenizer``) is registered on every connection as it opens.
///
/// ```swift
/// let store = try OrdersStore(path: "\(configuration.stateDirectory)/orders.sqlite")
/// let router = OrdersService.makeRouter(store: store)
/// ```
public struct OrdersStore: Sendable {
    /// The SQLite database underneath (the benchmark bulk-loads through it).
    public let database: SQLiteStore
    /// The clock, in UTC ms; tests may fix it.
    let now: @Sendable () -> Int64

    /// Opens (creating and migrating if needed) the database at `path`.
    public init(
        path: String, configuration: StoreConfiguration = StoreConfiguration(),
        now: @escaping @Sendable () -> Int64 = { UTCMilliseconds.now() }
    ) throws {
        var configuration = configuration
        let prepare = configuration.prepareDatabase
        configuration.prepareDatabase = { db in
            db.add(tokenizer: CatalogTokenizer.self)
            try prepare?(db)
        }
        self.database = try SQLiteStore(path: path, migrations: Self.migrations, configuration: configuration)
        self.now = now
    }

    /// The database's health for `Health/Check`.
    public func health() async -> HealthV1.ComponentHealth {
        await database.health()
    }
}
