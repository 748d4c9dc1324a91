public import GRDB

/// The one shape of a service's database type: a `struct` over one ``SQLiteStore`` whose
/// methods are named after what the service does, opened (created and migrated) at a path,
/// with the clock of its ``StoreConfiguration`` (tests fix it).
///
/// ```swift
/// public struct NotesStore: ServiceStore {
///     public static var migrations: StoreMigrations { ... }
///     public let database: SQLiteStore
///     public init(database: SQLiteStore) { self.database = database }
/// }
/// let store = try NotesStore(path: "\(stateDirectory)/notes.sqlite")
/// ```
public protocol ServiceStore: Sendable {
    /// The service's schema, in order (see ``StoreMigrations``).
    static var migrations: StoreMigrations { get }
    /// The database underneath.
    var database: SQLiteStore { get }
    /// A store over an opened and migrated database.
    init(database: SQLiteStore)
    /// Runs on every connection as it opens, before migrations: registers what the schema and
    /// the queries need on each connection (the orders store's FTS5 tokenizer). Default: nothing.
    static func prepareConnection(_ db: Database) throws
}

extension ServiceStore {
    /// Opens (creating and migrating if needed) the database at `path`.
    public init(path: String, configuration: StoreConfiguration = StoreConfiguration()) throws {
        var configuration = configuration
        let prepare = configuration.prepareDatabase
        configuration.prepareDatabase = { db in
            try Self.prepareConnection(db)
            try prepare?(db)
        }
        self.init(database: try SQLiteStore(path: path, migrations: Self.migrations, configuration: configuration))
    }

    /// Nothing to register.
    public static func prepareConnection(_ db: Database) throws {}

    /// Now, by the store's clock, in UTC milliseconds.
    public func now() -> Int64 { database.now() }
}
