import ChatPanelProto
public import ChatPanelStore
import GRDB

/// The clients service's database: dialogs, clients with their phones, address and custom
/// field values, tags, admin tag jobs, merges and settings, in one SQLite file.
///
/// Every method is named after what it does and runs in one transaction: a mutation either
/// happens whole or not at all, and a retried mutation (same request id) is applied once and
/// answers what the first attempt answered. Reads run in a snapshot, so they go on while a
/// tag job writes. Times come from the store's clock (``ChatPanelStore/ServiceStore/now()``).
///
/// ```swift
/// let store = try ClientsStore(path: "\(stateDirectory)/clients.sqlite")
/// let card = try await store.clientCard(dialogID: "tg-42", managerID: 7)
/// ```
///
/// Mutations throw ``ChatPanelRPC/RPCError`` (`NOT_FOUND`, `FAILED_PRECONDITION`, …) for the
/// domain's refusals; input is validated before it gets here.
public struct ClientsStore: ServiceStore {
    /// The underlying store (WAL, migrations, idempotent writes).
    public let database: SQLiteStore
    /// Wakes the tag job runner when a job is queued.
    let tagJobQueued = JobSignal()
    /// The field catalog of the latest version a card read (the cards' fields come from it).
    let fieldCatalog = FieldCatalogCache()

    /// The store over an opened, migrated database.
    public init(database: SQLiteStore) {
        self.database = database
    }
}

/// Who makes a change, and the key that makes a retry of it harmless.
public struct Mutation: Sendable, Hashable {
    /// The manager making the change (recorded where the change is audited).
    public var managerID: Int64
    /// The request id of the call; empty applies the change every time.
    public var requestID: String

    /// A mutation by `managerID` under `requestID`.
    public init(managerID: Int64, requestID: String = "") {
        self.managerID = managerID
        self.requestID = requestID
    }
}
