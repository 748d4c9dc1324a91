import ChatPanelProto
public import ChatPanelRPC

/// The clients service's RPC handlers (`chatpanel.clients.v1.Clients`): dialogs and clients,
/// tags and tag jobs, custom fields, duplicates and merges, settings.
///
/// Every handler is thin: it checks the caller's rights, validates the request (naming every
/// bad field), and calls one intent-named ``ClientsStore`` method, which does the work in one
/// transaction. Rights are checked before validation, so a caller without the right learns
/// nothing about the data from validation errors.
///
/// ```swift
/// let store = try ClientsStore(path: "\(stateDirectory)/clients.sqlite")
/// let router = ClientsService.makeRouter(store: store)
/// try await ChatPanelProcess.run(configuration: configuration, router: router, health: health,
///                                backgroundServices: [TagJobRunner(store: store, logger: logger)], ...)
/// ```
public enum ClientsService {
    /// Every method of the service, answered from `store` under `configuration`.
    public static func makeRouter(store: ClientsStore, configuration: ClientsConfiguration = ClientsConfiguration()) -> RPCRouter {
        var router = RPCRouter()
        registerDialogMethods(on: &router, store: store, configuration: configuration)
        registerClientMethods(on: &router, store: store, configuration: configuration)
        registerListMethods(on: &router, store: store, configuration: configuration)
        registerTagMethods(on: &router, store: store)
        registerTagJobMethods(on: &router, store: store)
        registerFieldMethods(on: &router, store: store)
        registerSettingsMethods(on: &router, store: store)
        return router
    }
}

extension RPCCallContext {
    /// The caller and request id of a mutation.
    var mutation: Mutation {
        Mutation(managerID: caller.managerID, requestID: requestID)
    }
}

extension FieldViolations {
    /// Records a violation unless `id` is a positive id.
    mutating func checkID(_ id: Int64, field: String) {
        check(id > 0, field: field, "must be a positive id")
    }
}

extension ClientsService {
    /// The health reporter of the clients process: serving while its database answers.
    public static func makeHealthReporter(store: ClientsStore) -> HealthReporter {
        HealthReporter(process: "clients") { [await store.health()] }
    }
}
