import ChatPanelProto
import ChatPanelRPC

extension RPCCallContext {
    /// The calling manager's id; UNAUTHENTICATED when the call names none. The gateway's one
    /// way to read it (layouts are per manager).
    func managerID(for action: String) throws(RPCError) -> Int64 {
        guard caller.managerID > 0 else {
            throw RPCError(code: .unauthenticated, message: "\(action) needs the calling manager's id")
        }
        return caller.managerID
    }
}
