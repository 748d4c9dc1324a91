import ChatPanelProto
import ChatPanelStore
import ChatPanelRPC

extension InsightsService {
    /// RecordPageViews (RIGHT_ADMIN: the site tracker), GetVisit and GetPanelData (no right).
    static func registerVisitMethods(on router: inout RPCRouter, store: InsightsStore, configuration: InsightsConfiguration) {
        let keepIP = configuration.ipRetention != nil
        router.register(InsightsV1.Insights.recordPageViews, group: .feeds) { request, context in
            try context.require(.admin, for: "feeding page views")
            try request.validate(now: store.now())
            return try await store.recordPageViews(request.views, locator: configuration.locator, keepIP: keepIP)
        }
        router.register(InsightsV1.Insights.getVisit) { request, _ in
            let subject = try validatedSubject(visitorID: request.visitorID, clientID: request.clientID, required: true)!
            return try await store.visit(subject, now: store.now(), parser: configuration.userAgents)
        }
        // Answered inside the read of the request: the widgets' data is one read on the loop's connection.
        // Answered as the response's view (the same message on the wire): the stored summary forwarded as kept.
        let getPanelData = UnaryMethod<InsightsV1.GetPanelDataRequest, InsightsV1.GetPanelDataResponseView>(
            path: InsightsV1.Insights.getPanelData.path)
        router.register(getPanelData, synchronous: { request, _ in
            var violations = FieldViolations()
            violations.checkText(request.dialogID, field: "dialog_id", InsightsLimits.optionalDialogID)
            try violations.throwIfAny()
            let subject = try validatedSubject(visitorID: request.visitorID, clientID: request.clientID, required: false)
            return try store.panelDataNow(
                dialogID: request.dialogID, visit: request.visit, of: subject, now: store.now(), parser: configuration.userAgents)
        })
    }

    /// Whose visit a request names: the visitor when given, else the client; nil when neither
    /// and not `required`.
    static func validatedSubject(visitorID: String, clientID: Int64, required: Bool) throws(RPCError) -> VisitSubject? {
        var violations = FieldViolations()
        violations.checkText(visitorID, field: "visitor_id", InsightsLimits.optionalDialogID)
        violations.check(clientID >= 0, field: "client_id", "must be a positive id, or 0")
        if required, visitorID.isEmpty, clientID == 0 { violations.add(field: "visitor_id", "give visitor_id or client_id") }
        try violations.throwIfAny()
        if !visitorID.isEmpty { return .visitor(visitorID) }
        return clientID > 0 ? .client(clientID) : nil
    }
}
