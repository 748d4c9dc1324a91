public import ChatPanelStore
public import GRDB

/// The orders process's database: the catalog (price types, categories, products and their
/// full-text index), the dialogs' and clients' product lists, the current carts, and the
/// record of owners moved into clients.
///
/// Every method is named after what the service does with it; every mutation runs in one
/// `BEGIN IMMEDIATE` transaction through ``ChatPanelStore/SQLiteStore/idempotentWrite(requestID:method:_:)``,
/// so a retry with the same request id is applied once. Times come from the store's clock,
/// which tests fix through the store configuration. The catalog's FTS5 tokenizer
/// (``CatalogTokenizer``) is registered on every connection as it opens.
///
/// ```swift
/// let store = try OrdersStore(path: "\(stateDirectory)/orders.sqlite")
/// let page = try await store.listedProducts(owner: .client(42), priceType: "")
/// ```
public struct OrdersStore: ServiceStore {
    /// The SQLite database underneath (the benchmark bulk-loads through it).
    public let database: SQLiteStore
    /// The price types, kept between reads of one version.
    let priceTypes = PriceTypeCache()

    /// The store over an opened, migrated database.
    public init(database: SQLiteStore) {
        self.database = database
    }

    /// Registers the catalog's tokenizer, which the FTS table and every search need, and gives
    /// each connection a page cache big enough for a catalog's hot pages: a text search joins a
    /// few thousand FTS matches to their product rows, and with SQLite's default 2 MiB cache
    /// each of those is a page looked up again (the store kit maps the file into memory, so not
    /// a read(2) each: ``ChatPanelStore/StoreConfiguration/memoryMapBytes``).
    public static func prepareConnection(_ db: Database) throws {
        db.add(tokenizer: CatalogTokenizer.self)
        try db.execute(sql: "PRAGMA cache_size = -\(cacheKibibytes)")
    }

    /// Each connection's page cache, KiB (the writer and up to 4 readers).
    static let cacheKibibytes = 32 * 1024
}
