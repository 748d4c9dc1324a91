import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import InsightsService
import Testing

/// Dialogs linked to clients, and a merge moving dialogs, summaries and page views (CLIENT-9).
@Suite struct ClientMoveContractTests {
    let start = Time.at("2026-05-01T10:00:00Z")

    func link(_ dialog: String, to client: Int64, _ service: InsightsHarness) async throws -> InsightsV1.LinkDialogResponse {
        var request = InsightsV1.LinkDialogRequest()
        request.dialogID = dialog
        request.clientID = client
        return try await service.call(InsightsV1.Insights.linkDialog, request, as: .manager(1, [.editClients]))
    }

    func move(_ from: Int64, _ to: Int64, _ service: InsightsHarness, requestID: String = "") async throws -> InsightsV1.MoveClientRecordsResponse {
        var request = InsightsV1.MoveClientRecordsRequest()
        request.fromClientID = from
        request.toClientID = to
        return try await service.call(InsightsV1.Insights.moveClientRecords, request, as: .manager(1, [.editClients]), requestID: requestID)
    }

    @Test func aMergeMovesDialogsSummariesAndVisits() async throws {
        try await withInsightsService(now: start + Time.minute) { service in
            try await service.append([Make.message("m1", text: "Хочу заказать кофемашину", at: start)])
            #expect(try await link("d1", to: 7, service).previousClientID == 0)
            _ = try await service.summarize("d1")
            try await service.record([Make.view("p1", visitor: "v7", at: start, client: 7)])
            #expect(try await service.visit(client: 7).visit?.visitorID == "v7")

            let moved = try await move(7, 3, service, requestID: "merge-1")
            #expect(moved.dialogsMoved == 1 && moved.summariesMoved == 1 && moved.pageViewsMoved == 1)
            // The retry answers the first answer; a new move finds nothing left.
            #expect(try await move(7, 3, service, requestID: "merge-1") == moved)
            #expect(try await move(7, 3, service).dialogsMoved == 0)

            #expect(try await service.visit(client: 3).visit?.visitorID == "v7")
            // The merged client's id reads the survivor's visit.
            #expect(try await service.visit(client: 7) == (try await service.visit(client: 3)))
            var get = InsightsV1.GetSummaryRequest()
            get.dialogID = "d1"
            #expect(try await service.call(InsightsV1.Insights.getSummary, get).summary?.clientID == 3)
            // The panel forwards the stored summary with the client it was moved to, as GetSummary reads it.
            var panel = InsightsV1.GetPanelDataRequest()
            panel.dialogID = "d1"
            #expect(try await service.call(InsightsV1.Insights.getPanelData, panel).summary == (try await service.call(InsightsV1.Insights.getSummary, get)))
            #expect(try await link("d1", to: 4, service).previousClientID == 3)
            let relinked = try await service.call(InsightsV1.Insights.getPanelData, panel).summary
            let read = try await service.call(InsightsV1.Insights.getSummary, get)
            #expect(relinked?.summary?.clientID == 4 && relinked == read)
        }
    }

    /// After a merge the merged client's id stands for the survivor: a page view naming it is
    /// filed under the survivor (its visit, its count, its visitors), a dialog linked to it is
    /// linked to the survivor, and so on through a survivor merged on in turn.
    @Test func aViewOrALinkNamingAMergedClientIsTheSurvivors() async throws {
        try await withInsightsService(now: start + 10 * Time.minute) { service in
            try await service.record([Make.view("p1", visitor: "phone", at: start, client: 7)])
            _ = try await move(7, 3, service)
            // The tracker still knows the visitor on the laptop as client 7.
            try await service.record([
                Make.view("p2", visitor: "laptop", url: "https://shop.example/cart", at: start + Time.minute, client: 7)
            ])
            // The client each view and visitor is stored under (0: none).
            func storedClients() async throws -> [String: Int64] {
                try await service.store.database.read { db in
                    var clients: [String: Int64] = [:]
                    let sql = """
                        SELECT view_id, client_id FROM page_view
                        UNION ALL SELECT 'visitor ' || visitor_id, client_id FROM visitor_client
                        """
                    for row in try db.positionalRows(sql: sql) {
                        let key: String = row[0]
                        let client: Int64? = row[1]
                        clients[key] = client ?? 0
                    }
                    return clients
                }
            }
            #expect(try await storedClients() == ["p1": 3, "p2": 3, "visitor phone": 3, "visitor laptop": 3])
            let visit = try #require(try await service.visit(client: 3).visit)
            #expect(visit.pages.count == 2 && visit.visitCount == 1 && visit.visitorID == "laptop")
            #expect(visit.currentPage?.url == "https://shop.example/cart")
            // The laptop's later views naming no client are the survivor's too.
            try await service.record([Make.view("p3", visitor: "laptop", at: start + 2 * Time.minute)])
            #expect(try await service.visit(client: 3).visit?.pages.count == 3)

            // A dialog linked to the merged client is linked to the survivor.
            try await service.append([Make.message("m1", dialog: "d7", text: "Где мой заказ?", at: start)])
            #expect(try await link("d7", to: 7, service).previousClientID == 0)
            #expect(try await service.summarize("d7").clientID == 3)

            // The survivor merged on in turn: the first id follows it.
            _ = try await move(3, 5, service)
            try await service.record([Make.view("p4", visitor: "tablet", at: start + 3 * Time.minute, client: 7)])
            #expect(try await storedClients()["p4"] == 5)
            let merged = try #require(try await service.visit(client: 5).visit)
            #expect(merged.pages.count == 4 && merged.visitorID == "tablet")
            #expect(try await service.visit(client: 7).visit == merged)
            var panel = InsightsV1.GetPanelDataRequest()
            panel.clientID = 7
            panel.visit = true
            #expect(try await service.call(InsightsV1.Insights.getPanelData, panel).visit?.visit == merged)
        }
    }

    /// A merged client is merged once: a move of it into another client, or into a client that
    /// was itself merged away, is refused (so a merged id names one survivor, and never loops).
    @Test func aMoveOfAMergedClientElsewhereOrIntoOneIsRefused() async throws {
        try await withInsightsService(now: start) { service in
            try await service.record([Make.view("p1", at: start, client: 7)])
            _ = try await move(7, 3, service)
            await expectError(.failedPrecondition) { try await move(7, 4, service) }
            await expectError(.failedPrecondition) { try await move(8, 7, service) }
            await expectError(.failedPrecondition) { try await move(3, 7, service) }
            // The same move again is fine.
            #expect(try await move(7, 3, service).pageViewsMoved == 0)
            #expect(try await service.visit(client: 3).visit?.pages.count == 1)
        }
    }

    @Test func movesNeedTheEditClientsRightAndTwoClients() async throws {
        try await withInsightsService { service in
            var request = InsightsV1.MoveClientRecordsRequest()
            await expectError(.permissionDenied) {
                try await service.call(InsightsV1.Insights.moveClientRecords, request, as: .manager(1))
            }
            request.fromClientID = 5
            request.toClientID = 5
            await expectError(.invalidArgument, field: "to_client_id") {
                try await service.call(InsightsV1.Insights.moveClientRecords, request, as: .manager(1, [.editClients]))
            }
        }
    }
}
