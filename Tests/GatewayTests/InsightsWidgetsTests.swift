import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Foundation
import Gateway
import InsightsService
import Testing

/// The Summary and Visit widgets end to end: the clients, tasks and insights services and the
/// gateway, each on its own socket.
@Suite("Gateway: the Summary and Visit widgets")
struct InsightsWidgetsTests {
    /// The gateway with the insights service, and a client of that service (the feeds).
    struct Harness {
        let gateway: GatewayHarness
        let insights: RPCClient

        func feed<Request, Response>(_ method: UnaryMethod<Request, Response>, _ request: Request) async throws -> Response {
            try await insights.unary(method, request, options: RPCCallOptions(caller: As.admin))
        }

        /// Switches the summary bot and the site chat module on or off.
        func modules(summary: Bool, siteChat: Bool) async throws {
            var request = GatewayV1.UpdateSettingsRequest()
            request.summaryBotEnabled = summary
            request.siteChatEnabled = siteChat
            _ = try await gateway.call(GatewayV1.Gateway.updateSettings, request, as: As.admin)
        }

        /// A site chat dialog of `visitor`, saved as a client; returns the client id.
        func siteClient(_ dialog: String, visitor: String) async throws -> Int64 {
            var request = ClientsV1.UpsertDialogRequest()
            request.dialogID = dialog
            request.channel = "site"
            request.externalLogin = visitor
            request.displayName = "Анна Смирнова"
            _ = try await gateway.clients(ClientsV1.Clients.upsertDialog, request)
            var save = ClientsV1.SaveClientFromDialogRequest()
            save.dialogID = dialog
            let saved = try await gateway.act(dialog: dialog, ClientsV1.Clients.saveClientFromDialog.path, save)
            return try #require(try ClientsV1.ClientCard(serializedBytes: saved.response).client?.clientID)
        }

        func messages(_ dialog: String, _ lines: [(InsightsV1.Direction, String)], start: Int64) async throws {
            var request = InsightsV1.AppendMessagesRequest()
            request.messages = lines.enumerated().map { index, line in
                var message = InsightsV1.Message()
                message.messageID = "\(dialog)-\(index)"
                message.dialogID = dialog
                message.direction = line.0
                message.author = line.0 == .in ? "Анна" : "Менеджер"
                message.text = line.1
                message.sentAtMs = start + Int64(index) * 60_000
                return message
            }
            _ = try await feed(InsightsV1.Insights.appendMessages, request)
        }

        func views(_ visitor: String, _ pages: [(String, String)], start: Int64) async throws {
            var request = InsightsV1.RecordPageViewsRequest()
            request.views = pages.enumerated().map { index, page in
                var view = InsightsV1.PageView()
                view.viewID = "\(visitor)-\(index)"
                view.visitorID = visitor
                view.url = page.0
                view.title = page.1
                view.userAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
                view.ip = "77.88.8.8"
                view.language = "ru-RU"
                view.viewedAtMs = start + Int64(index) * 60_000
                return view
            }
            _ = try await feed(InsightsV1.Insights.recordPageViews, request)
        }
    }

    private func withInsightsGateway(_ body: (Harness) async throws -> Void) async throws {
        let configuration = try InsightsConfiguration.load()
        try await withTemporaryDirectory { insightsDirectory in
            try await withLiveService(InsightsService.self, configuration: configuration, in: insightsDirectory) { _, insightsSocket in
                try await withGateway(configure: { $0.upstreamSockets[UpstreamDescriptor.insights.name] = insightsSocket }) { gateway in
                    let insights = RPCClient(configuration: RPCClientConfiguration(socketPath: insightsSocket))
                    do {
                        try await body(Harness(gateway: gateway, insights: insights))
                    } catch {
                        await insights.close()
                        throw error
                    }
                    await insights.close()
                }
            }
        }
    }

    @Test("Both modules on: the Visit widget shows the visit; Summarize through Act fills the Summary widget, which keeps it")
    func widgetsWithData() async throws {
        try await withInsightsGateway { h in
            try await h.modules(summary: true, siteChat: true)
            _ = try await h.siteClient("d-site", visitor: "visitor-1")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try await h.views(
                "visitor-1",
                [("https://shop.example/?utm_source=yandex&utm_medium=cpc&utm_campaign=coffee", "Главная"),
                 ("https://shop.example/coffee", "Кофемашины")], start: now - 5 * 60_000)
            try await h.messages(
                "d-site", [(.in, "Здравствуйте! Хочу купить кофемашину Philips 3200."), (.out, "Добрый день! Отправлю счёт сегодня."), (.in, "А доставка завтра возможна?")],
                start: now - 3 * 60_000)

            let panel = try await h.gateway.panel("d-site")
            let visitWidget = try #require(panel.widget(.visit))
            #expect(visitWidget.state == .ok && visitWidget.dataType == "chatpanel.insights.v1.GetVisitResponse", "\(visitWidget)")
            let visit = try #require(try InsightsV1.GetVisitResponse(serializedBytes: visitWidget.data).visit)
            #expect(visit.currentPage?.title == "Кофемашины" && visit.onSiteNow && visit.visitCount == 1)
            #expect(visit.utm?.source == "yandex" && visit.device?.browser == "Firefox" && visit.location?.countryCode == "RU")
            let summaryWidget = try #require(panel.widget(.summary))
            #expect(summaryWidget.state == .ok && summaryWidget.reason.contains("no summary yet"), "\(summaryWidget)")

            var summarize = InsightsV1.SummarizeRequest()
            let answer = try await h.gateway.act(dialog: "d-site", InsightsV1.Insights.summarize.path, summarize)
            let made = try #require(try InsightsV1.SummarizeResponse(serializedBytes: answer.response).summary)
            #expect(made.messagesUsed == 3 && made.promisedActions == ["Отправлю счёт сегодня."])
            #expect(made.createdByID == As.manager.managerID && made.clientID > 0)
            let refreshed = try #require(answer.refreshed.first { $0.kind == .summary })
            #expect(try InsightsV1.GetSummaryResponse(serializedBytes: refreshed.data).summary == made)
            let again = try #require(try await h.gateway.panel("d-site").widget(.summary))
            #expect(try InsightsV1.GetSummaryResponse(serializedBytes: again.data).summary?.text == made.text)

            // Another dialog's summary cannot be made from this panel.
            summarize.dialogID = "d-other"
            await expectError(.invalidArgument, field: "dialog_id") {
                _ = try await h.gateway.act(dialog: "d-site", InsightsV1.Insights.summarize.path, summarize)
            }
        }
    }

    @Test("A watched visitor on the site now is shown off the site when the last view turns 30 minutes old")
    func onSiteNowEndsInTheLivePanel() async throws {
        try await withInsightsGateway { h in
            try await h.modules(summary: true, siteChat: true)
            _ = try await h.siteClient("d-leaving", visitor: "visitor-leaving")
            // The last view is 30 minutes old in about two seconds.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try await h.views("visitor-leaving", [("https://shop.example/coffee", "Кофемашины")], start: now - 30 * 60_000 + 2_000)
            func visit(_ update: GatewayV1.PanelUpdate) -> InsightsV1.Visit? {
                let widget = update.widgets.first { $0.kind == .visit } ?? update.panel?.widget(.visit)
                return widget.flatMap { try? InsightsV1.GetVisitResponse(serializedBytes: $0.data).visit }
            }
            let watch = PanelWatchReader(h.gateway.gatewayClient, dialog: "d-leaving", as: As.manager)
            defer { watch.stop() }
            let first = try await watch.waitFor("the first whole panel") { $0.panel != nil }
            #expect(visit(first)?.onSiteNow == true)
            // Nothing changes on any service: the update comes from the time passing.
            let left = try await watch.waitFor("the visit no longer on the site now") { visit($0)?.onSiteNow == false }
            #expect(left.panel == nil && left.changedAtMs == now + 2_000)
        }
    }

    @Test("With the modules off both widgets are DISABLED and the Summary widget's actions are refused")
    func modulesOff() async throws {
        try await withInsightsGateway { h in
            try await h.modules(summary: false, siteChat: false)
            _ = try await h.siteClient("d-off", visitor: "visitor-2")
            let panel = try await h.gateway.panel("d-off")
            #expect(panel.widget(.summary)?.state == .disabled && panel.widget(.visit)?.state == .disabled)
            await expectError(.failedPrecondition) {
                _ = try await h.gateway.act(dialog: "d-off", InsightsV1.Insights.summarize.path, InsightsV1.SummarizeRequest())
            }
            let error = await expectError(.failedPrecondition) {
                _ = try await h.gateway.act(dialog: "d-off", InsightsV1.Insights.getSummary.path, InsightsV1.GetSummaryRequest())
            }
            #expect(error?.message.contains("the summary bot is switched off") == true, "\(String(describing: error))")
            // Switched on, the same read is answered.
            try await h.modules(summary: true, siteChat: false)
            let answered = try await h.gateway.act(dialog: "d-off", InsightsV1.Insights.getSummary.path, InsightsV1.GetSummaryRequest())
            #expect(try InsightsV1.GetSummaryResponse(serializedBytes: answered.response).summary == nil)
        }
    }

    @Test("A merge moves the merged client's conversations and visits to the survivor")
    func mergeMovesInsights() async throws {
        try await withInsightsGateway { h in
            try await h.modules(summary: true, siteChat: true)
            let merged = try await h.siteClient("d-merged", visitor: "visitor-3")
            let survivor = try await h.gateway.savedClient("d-survivor")
            try await h.messages("d-merged", [(.in, "Хочу вернуть товар по заказу №7781")], start: 1_770_000_000_000)
            _ = try await h.gateway.act(dialog: "d-merged", InsightsV1.Insights.summarize.path, InsightsV1.SummarizeRequest())
            var byClient = InsightsV1.GetVisitRequest()
            byClient.clientID = merged
            var view = InsightsV1.RecordPageViewsRequest()
            var page = InsightsV1.PageView()
            page.viewID = "v3-1"
            page.visitorID = "visitor-3"
            page.clientID = merged
            page.url = "https://shop.example/returns"
            page.viewedAtMs = 1_770_000_000_000
            view.views = [page]
            _ = try await h.feed(InsightsV1.Insights.recordPageViews, view)

            let started = try await h.gateway.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: survivor, merged: merged))
            #expect(started.steps.map(\.name).contains("move conversations and visits"))
            var done = GatewayV1.MergeWorkflow()
            try await waitUntil("the merge is done") {
                done = try await h.gateway.call(GatewayV1.Gateway.getMergeWorkflow, Seed.workflow(started.workflowID))
                return done.state != .running
            }
            #expect(done.state == .done, "\(done)")
            byClient.clientID = survivor
            #expect(try await h.feed(InsightsV1.Insights.getVisit, byClient).visit?.currentPage?.url == "https://shop.example/returns")
            var summary = InsightsV1.GetSummaryRequest()
            summary.dialogID = "d-merged"
            #expect(try await h.feed(InsightsV1.Insights.getSummary, summary).summary?.clientID == survivor)
        }
    }

    @Test("A visit of 500 long addresses and titles leaves both widgets OK: the visit lists its newest pages that fit")
    func aLargeVisitFitsThePanel() async throws {
        try await withInsightsGateway { h in
            try await h.modules(summary: true, siteChat: true)
            _ = try await h.siteClient("d-large", visitor: "visitor-4")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            // 1.5 MB of addresses and titles, fed 100 views a call.
            for batch in 0..<5 {
                var request = InsightsV1.RecordPageViewsRequest()
                request.views = (0..<100).map { offset in
                    let index = batch * 100 + offset
                    var view = InsightsV1.PageView()
                    view.viewID = "visitor-4-\(index)"
                    view.visitorID = "visitor-4"
                    view.url = "https://shop.example/p\(index)?q=" + String(repeating: "x", count: 1_970)
                    view.title = "Стр. \(index) " + String(repeating: "я", count: 480)
                    view.viewedAtMs = now - 10 * 60_000 + Int64(index) * 1_000
                    return view
                }
                _ = try await h.feed(InsightsV1.Insights.recordPageViews, request)
            }
            try await h.messages("d-large", [(.in, "Хочу кофемашину Philips 3200.")], start: now - 60_000)

            let panel = try await h.gateway.panel("d-large")
            let visitWidget = try #require(panel.widget(.visit))
            #expect(visitWidget.state == .ok, "\(visitWidget.state) \(visitWidget.reason)")
            let visit = try #require(try InsightsV1.GetVisitResponse(serializedBytes: visitWidget.data).visit)
            #expect(visit.currentPage?.title.hasPrefix("Стр. 499 ") == true && visit.pagesLeftOut > 0)
            #expect(visit.pages.count + Int(visit.pagesLeftOut) == 500)
            let summaryWidget = try #require(panel.widget(.summary))
            #expect(summaryWidget.state == .ok, "\(summaryWidget.state) \(summaryWidget.reason)")
            #expect(try InsightsV1.GetSummaryResponse(serializedBytes: summaryWidget.data).messageCount == 1)
        }
    }
}
