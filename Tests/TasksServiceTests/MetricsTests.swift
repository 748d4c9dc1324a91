import ChatPanelProto
import ChatPanelRPC
import Testing

/// The process's metrics through `Metrics/Scrape` on the service's own socket: calls per
/// method and code and their latency histogram move when calls are made; the store's size,
/// write latency and idempotent replays are there too.
@Suite struct MetricsTests {
    /// The value of the sample line that starts with `prefix` (0 when absent).
    private func sample(_ text: String, _ prefix: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return 0
    }

    @Test func figuresMoveWhenCallsAreMade() async throws {
        try await withTasksService { service in
            let scrape = { try await service.client.unary(MetricsV1.Metrics.scrape, MetricsV1.ScrapeRequest()).text }
            let ok = #"chatpanel_rpc_calls_total{method="/chatpanel.tasks.v1.Tasks/CreateNote",code="OK"}"#
            let invalid = #"chatpanel_rpc_calls_total{method="/chatpanel.tasks.v1.Tasks/CreateNote",code="INVALID_ARGUMENT"}"#
            let histogram = #"chatpanel_rpc_call_duration_seconds_count{method="/chatpanel.tasks.v1.Tasks/CreateNote"}"#
            let before = try await scrape()

            let id = newRequestID()
            for index in 0..<3 { _ = try await service.call(TasksV1.Tasks.createNote, Make.note(text: "n\(index)"), requestID: index == 0 ? id : "") }
            _ = try await service.call(TasksV1.Tasks.createNote, Make.note(text: "n0"), requestID: id)  // a replay
            _ = try? await service.call(TasksV1.Tasks.createNote, Make.note(text: ""))  // refused

            let after = try await scrape()
            // Other suites in this test process may call the same method meanwhile: at least ours.
            #expect(sample(after, ok) - sample(before, ok) >= 4, "\(after)")
            #expect(sample(after, invalid) - sample(before, invalid) >= 1)
            #expect(sample(after, histogram) - sample(before, histogram) >= 5)
            #expect(sample(after, "chatpanel_store_idempotent_replays_total") - sample(before, "chatpanel_store_idempotent_replays_total") >= 1)
            #expect(sample(after, "chatpanel_store_database_bytes") > 0)
            #expect(after.contains("# TYPE chatpanel_rpc_call_duration_seconds histogram"), "\(after)")
            #expect(after.contains("chatpanel_store_write_duration_seconds_bucket"))
        }
    }
}
