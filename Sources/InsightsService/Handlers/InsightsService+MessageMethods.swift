import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore

extension InsightsService {
    /// AppendMessages (RIGHT_ADMIN: the chat back end), LinkDialog and MoveClientRecords
    /// (RIGHT_EDIT_CLIENTS), Summarize (a manager), GetSummary (no right).
    static func registerMessageMethods(on router: inout RPCRouter, store: InsightsStore, configuration: InsightsConfiguration) {
        router.register(InsightsV1.Insights.appendMessages, group: .feeds) { request, context in
            try context.require(.admin, for: "feeding messages")
            try request.validate(now: store.now())
            return try await store.appendMessages(request.messages)
        }
        router.register(InsightsV1.Insights.linkDialog) { request, context in
            try context.require(.editClients, for: "linking a dialog to a client")
            var violations = FieldViolations()
            violations.checkText(request.dialogID, field: "dialog_id", InsightsLimits.externalID)
            violations.checkID(request.clientID, field: "client_id")
            try violations.throwIfAny()
            return try await store.linkDialog(request.dialogID, to: request.clientID, requestID: context.requestID)
        }
        router.register(InsightsV1.Insights.moveClientRecords) { request, context in
            try context.require(.editClients, for: "moving a client's conversations and visits")
            var violations = FieldViolations()
            violations.checkID(request.fromClientID, field: "from_client_id")
            violations.checkID(request.toClientID, field: "to_client_id")
            if request.fromClientID > 0, request.fromClientID == request.toClientID {
                violations.add(field: "to_client_id", "must differ from from_client_id")
            }
            try violations.throwIfAny()
            return try await store.moveClientRecords(from: request.fromClientID, to: request.toClientID, requestID: context.requestID)
        }
        let engine = SummaryEngine(tokenizer: configuration.tokenizer, budget: configuration.budget, provider: configuration.summaryProvider)
        router.register(InsightsV1.Insights.summarize) { request, context in
            let manager = try context.managerID(for: "making a summary")
            try validatedDialogID(request.dialogID)
            return try await store.summarize(dialogID: request.dialogID, by: manager, engine: engine, requestID: context.requestID)
        }
        router.register(InsightsV1.Insights.getSummary) { request, _ in
            try validatedDialogID(request.dialogID)
            return try await store.summary(dialogID: request.dialogID)
        }
    }

    /// Throws INVALID_ARGUMENT unless `dialogID` is a dialog id.
    static func validatedDialogID(_ dialogID: String) throws(RPCError) {
        var violations = FieldViolations()
        violations.checkText(dialogID, field: "dialog_id", InsightsLimits.externalID)
        try violations.throwIfAny()
    }
}
