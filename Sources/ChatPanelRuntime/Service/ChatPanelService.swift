public import ChatPanelProto
public import ChatPanelRPC
public import ChatPanelStore
public import Logging
public import ServiceLifecycle

/// The one shape of a ChatPanel service: what a process hosts, described once and run the
/// same way by `chatpaneld` and by the test harnesses (see ``ServiceHost``).
///
/// A service owns one ``ChatPanelStore/ServiceStore`` (opened and migrated by the host before
/// the socket listens), answers its methods through a router, may report health components
/// beside its database (the gateway's upstreams), and may run long-lived work beside the
/// server (a job runner, a workflow runner). The host adds what every service runs: the
/// database's health and the idempotency record pruner.
///
/// Handlers follow one order, so that every service answers alike:
/// 1. rights: ``ChatPanelRPC/RPCCallContext/require(_:for:)``, before anything else, so a
///    caller without the right learns nothing from validation errors;
/// 2. the request, validated whole: INVALID_ARGUMENT names every bad field
///    (``ChatPanelRPC/FieldViolations``, ``ChatPanelRPC/TextRule``, `checkID`);
/// 3. one intent-named store method, which does the work in one transaction.
///
/// Who acts is read with ``ChatPanelRPC/RPCCallContext/managerID(for:)`` (UNAUTHENTICATED
/// when the call names no manager) wherever an author, an audit or "mine" needs it.
///
/// ```swift
/// public struct NotesService: ChatPanelService {
///     public static let name = "notes"
///     public let store: NotesStore
///     public init(store: NotesStore, configuration: Void, logger: Logger) { self.store = store }
///     public func makeRouter() -> RPCRouter { ... }
/// }
/// let host = try ServiceHost<NotesService>(configuration: (), stateDirectory: directory, logger: logger)
/// ```
public protocol ChatPanelService: Sendable {
    /// The service's database type.
    associatedtype Store: ServiceStore
    /// The service's own settings (beyond those every process has).
    associatedtype Configuration: Sendable

    /// The process name: the log label, the health report's name, the database file's name.
    static var name: String { get }

    /// The service over its opened store; makes no I/O.
    init(store: Store, configuration: Configuration, logger: Logger)

    /// The service's database.
    var store: Store { get }

    /// Every method the service answers.
    func makeRouter() -> RPCRouter

    /// Health components beside the database (default none).
    func healthComponents() async -> [HealthV1.ComponentHealth]

    /// Long-lived work to run beside the server in the process's service group (default none).
    func makeBackgroundServices() -> [any Service]
}

extension ChatPanelService {
    /// None.
    public func healthComponents() async -> [HealthV1.ComponentHealth] { [] }
    /// None.
    public func makeBackgroundServices() -> [any Service] { [] }
}
