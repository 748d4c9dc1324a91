import ChatPanelProto
public import ChatPanelRPC
public import ChatPanelRuntime
public import Logging
public import ServiceLifecycle

/// The clients service's RPC handlers (`chatpanel.clients.v1.Clients`): dialogs and clients,
/// tags and tag jobs, custom fields, duplicates and merges, settings.
///
/// Every handler is thin and follows the order of ``ChatPanelRuntime/ChatPanelService``: it
/// checks the caller's rights, then the caller's identity where the call records who acted,
/// validates the request (naming every bad field), and calls one intent-named
/// ``ClientsStore`` method, which does the work in one transaction.
///
/// ```swift
/// let host = try ServiceHost<ClientsService>(configuration: .init(), stateDirectory: stateDirectory, logger: logger)
/// try await ChatPanelProcess.run(host, configuration: configuration, environment: environment, logger: logger)
/// ```
public struct ClientsService: ChatPanelService {
    /// The service's own settings (see ``ClientsConfiguration``).
    public typealias Configuration = ClientsConfiguration

    /// `clients`.
    public static let name = "clients"
    /// The service's database.
    public let store: ClientsStore
    private let configuration: ClientsConfiguration
    private let tagJobRunner: TagJobRunner?

    /// The service over its store.
    public init(store: ClientsStore, configuration: Configuration = Configuration(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.tagJobRunner = configuration.tagJobs.map { TagJobRunner(store: store, configuration: $0, logger: logger) }
    }

    /// Every method of the service.
    public func makeRouter() -> RPCRouter {
        var router = RPCRouter()
        Self.registerDialogMethods(on: &router, store: store, configuration: configuration)
        Self.registerClientMethods(on: &router, store: store, configuration: configuration)
        Self.registerListMethods(on: &router, store: store, configuration: configuration)
        Self.registerTagMethods(on: &router, store: store)
        Self.registerTagJobMethods(on: &router, store: store)
        Self.registerFieldMethods(on: &router, store: store)
        Self.registerSettingsMethods(on: &router, store: store)
        return router
    }

    /// The tag job runner (it resumes a job a restart interrupted as soon as it starts).
    public func makeBackgroundServices() -> [any Service] {
        tagJobRunner.map { [$0] } ?? []
    }
}

extension RPCCallContext {
    /// The caller and request id of a mutation; UNAUTHENTICATED when the call names no manager
    /// (every change to a client is audited with who made it).
    var mutation: Mutation {
        get throws(RPCError) {
            Mutation(managerID: try managerID(for: "changing clients"), requestID: requestID)
        }
    }
}
