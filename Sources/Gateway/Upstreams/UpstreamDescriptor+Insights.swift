import ChatPanelProto
import ChatPanelRPC

extension UpstreamDescriptor {
    /// The insights service: the Summary widget (SUMMARY-1..4) and its actions (summarize,
    /// refresh: the same call), the Visit widget (VISIT-1..6), and the merge step moving the
    /// merged client's dialogs, summaries and page views. Both widgets come from one
    /// GetPanelData call; the module settings switch them off first (PANEL-4).
    public static let insights = UpstreamDescriptor(
        name: "insights", environmentKey: "CHATPANEL_INSIGHTS_SOCKET",
        actions: [
            // "Summarize" and "refresh": the dialog is the panel's (filled in when left empty). The
            // Summary widget's actions are refused while the summary bot is off.
            GatewayAction(
                InsightsV1.Insights.summarize, right: nil, refresh: [.summary],
                bind: [.dialog(\.dialogID, field: "dialog_id", fillWhenEmpty: true)], requires: .summaryBot),
            GatewayAction(
                InsightsV1.Insights.getSummary, right: nil, bind: [.dialog(\.dialogID, field: "dialog_id", fillWhenEmpty: true)],
                requires: .summaryBot),
        ],
        widgets: WidgetSource(
            widgets: [
                WidgetSource.Widget(kind: .summary, dataType: "chatpanel.insights.v1.GetSummaryResponse"),
                WidgetSource.Widget(kind: .visit, dataType: "chatpanel.insights.v1.GetVisitResponse"),
            ],
            callsUpstream: true, start: fillInsightsWidgets),
        mergeStep: MergeStepDescriptor(name: "move conversations and visits") { insights, context in
            var request = InsightsV1.MoveClientRecordsRequest()
            request.fromClientID = context.mergedClientID
            request.toClientID = context.survivorClientID
            _ = try await insights.call(
                InsightsV1.Insights.moveClientRecords, request,
                options: RPCCallOptions(timeout: .seconds(30), caller: context.caller, requestID: context.requestID))
        },
        isOptional: true)

    /// One GetPanelData call of the insights service: the dialog's stored summary, and the
    /// visit of the site visitor (a site dialog's contact) or else of the dialog's client.
    @Sendable
    private static func fillInsightsWidgets(
        _ insights: Upstream, _ request: WidgetSource.Request, _ widgets: [GatewayV1.Widget]
    ) -> WidgetSource.Filling {
        var panelData = InsightsV1.GetPanelDataRequest()
        let dialog = request.card.dialog
        if widgets.contains(where: { $0.kind == .summary }) { panelData.dialogID = dialog?.dialogID ?? "" }
        if widgets.contains(where: { $0.kind == .visit }) {
            panelData.visit = true
            if let dialog, dialog.channel == "site" { panelData.visitorID = dialog.externalLogin }
            panelData.clientID = request.card.client?.clientID ?? 0
        }
        let noSubject = panelData.visitorID.isEmpty && panelData.clientID == 0
        // The summary and the visit are forwarded as the insights service encoded them.
        return .calling(
            insights, InsightsV1.Insights.getPanelData, panelData, for: request, widgets,
            answerAs: InsightsV1.GetPanelDataResponseView.self
        ) { response, widget in
            if widget.kind == .summary {
                let summary = response.summary ?? []
                widget.data = summary
                if try InsightsV1.GetSummaryResponseView(serializedBytes: summary).summary == nil {
                    widget.reason = "no summary yet: summarize makes one"
                }
            } else {
                let visit = response.visit ?? []
                widget.data = visit
                if try InsightsV1.GetVisitResponseView(serializedBytes: visit).visit == nil {
                    widget.reason = noSubject ? "the dialog is not a site chat and has no client yet" : "no page views of this visitor"
                }
            }
        }
    }
}
