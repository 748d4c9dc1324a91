import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Testing

/// The message feed: batches, idempotent by message id, every bad field named, rights first.
@Suite struct MessageFeedContractTests {
    let start = Time.at("2026-05-01T09:00:00Z")

    @Test func appendsOnceByMessageID() async throws {
        try await withInsightsService { service in
            let batch = [
                Make.message("m1", text: "Здравствуйте", at: start),
                Make.message("m2", .out, text: "Добрый день!", at: start + Time.minute),
                Make.message("m3", dialog: "d2", text: "Hi", at: start),
            ]
            let first = try await service.append(batch)
            #expect(first.appended == 3 && first.alreadyKnown == 0)
            let again = try await service.append(batch + [Make.message("m4", text: "Есть в наличии?", at: start + 2 * Time.minute)])
            #expect(again.appended == 1 && again.alreadyKnown == 3)

            var get = InsightsV1.GetSummaryRequest()
            get.dialogID = "d1"
            let summary = try await service.call(InsightsV1.Insights.getSummary, get, as: .manager(1))
            #expect(summary.messageCount == 3)
            #expect(summary.summary == nil)
        }
    }

    @Test func refusesEveryBadField() async throws {
        try await withInsightsService { service in
            var bad = Make.message("", dialog: "", text: String(repeating: "я", count: 20_001), at: 0)
            bad.direction = .unspecified
            bad.author = "Анна\u{7}"
            await expectError(
                .invalidArgument,
                fields: [
                    "messages[0].message_id", "messages[0].dialog_id", "messages[0].direction", "messages[0].author",
                    "messages[0].text", "messages[0].sent_at_ms", "messages[2].message_id",
                ]
            ) {
                try await service.append([bad, Make.message("m1", text: "ok", at: start), Make.message("m1", text: "dup", at: start)])
            }
            await expectError(.invalidArgument, field: "messages") { try await service.append([]) }
            // Nothing of a refused batch was written.
            var get = InsightsV1.GetSummaryRequest()
            get.dialogID = "d1"
            let stored = try await service.call(InsightsV1.Insights.getSummary, get)
            #expect(stored.messageCount == 0)
        }
    }

    @Test func feedingNeedsTheAdministratorRight() async throws {
        try await withInsightsService { service in
            var request = InsightsV1.AppendMessagesRequest()
            request.messages = [Make.message("", text: "", at: 0)]
            // Rights first: no validation detail leaks to a caller without the right.
            await expectError(.permissionDenied) {
                try await service.call(InsightsV1.Insights.appendMessages, request, as: .manager(1, [.editClients]))
            }
        }
    }
}
