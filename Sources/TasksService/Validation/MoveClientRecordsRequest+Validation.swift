public import ChatPanelProto
public import ChatPanelRPC

extension TasksV1.MoveClientRecordsRequest {
    /// Checks both clients (positive, different); INVALID_ARGUMENT naming every bad field.
    public func validate() throws(RPCError) {
        var violations = FieldViolations()
        violations.checkID(fromClientID, field: "from_client_id")
        violations.checkID(toClientID, field: "to_client_id")
        if fromClientID > 0 { violations.check(toClientID != fromClientID, field: "to_client_id", "must differ from from_client_id") }
        try violations.throwIfAny()
    }
}
