import ChatPanelProto
import ChatPanelRPC

extension GatewayService {
    /// `GetPanel`: the whole panel of the calling manager and a dialog (PANEL-1), written in
    /// one pass (``GatewayV1/Panel/encoded()``).
    func registerPanel(on router: inout RPCRouter) {
        router.register(
            GatewayV1.Gateway.getPanel,
            encoded: { [composer] request, context in
                // A panel is a manager's: their layout, their rights, their "Mine" tasks.
                _ = try context.managerID(for: "opening a panel")
                guard !request.dialogID.isEmpty else { throw RPCError.invalidArgument(field: "dialog_id", "must not be empty") }
                return try await composer.panel(dialogID: request.dialogID, context: context).onePassBytes()
            })
    }
}
