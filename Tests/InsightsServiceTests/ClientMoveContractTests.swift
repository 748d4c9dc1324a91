import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
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
            #expect(try await service.visit(client: 7).visit == nil)
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
