import ChatPanelProto
import ChatPanelRPC

extension GatewayService {
    /// `GetLayout`, `UpdateLayout` (per manager, PANEL-3), `GetSettings`, `UpdateSettings`
    /// (administrators, PANEL-4).
    func registerLayoutAndSettings(on router: inout RPCRouter) {
        router.register(GatewayV1.Gateway.getLayout) { [store] _, context in
            try await store.layout(managerID: try context.managerID(for: "reading a layout"))
        }
        router.register(GatewayV1.Gateway.updateLayout) { [store, watches] request, context in
            let managerID = try context.managerID(for: "changing a layout")
            let layout = try await store.updateLayout(managerID: managerID, baseVersion: request.baseVersion, widgets: request.widgets)
            watches.resendWholePanels(managerID: managerID)  // the manager's open panels follow the new layout
            return layout
        }
        router.register(GatewayV1.Gateway.getSettings) { [store] _, _ in
            try await store.settings()
        }
        router.register(GatewayV1.Gateway.updateSettings) { [store, watches] request, context in
            try context.require(.admin, for: "changing the module and chat settings")
            let settings = try await store.updateSettings(try SettingsChange(request))
            watches.resendWholePanels()  // widgets appear or go as modules switch
            return settings
        }
    }
}
