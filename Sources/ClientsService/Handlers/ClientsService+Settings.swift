import ChatPanelProto
import ChatPanelRPC

extension ClientsService {
    /// GetSettings, UpdateSettings.
    static func registerSettingsMethods(on router: inout RPCRouter, store: ClientsStore) {
        router.register(ClientsV1.Clients.getSettings) { _, _ in
            try await store.settings()
        }
        router.register(ClientsV1.Clients.updateSettings, group: .admin) { request, context in
            try context.require(.admin, for: "changing the clients settings")
            guard let settings = request.settings else { throw RPCError.invalidArgument(field: "settings", "is required") }
            return try await store.updateSettings(settings, by: context.mutation)
        }
    }
}
