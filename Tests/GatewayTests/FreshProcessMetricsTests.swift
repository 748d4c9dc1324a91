import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Foundation
import Testing

/// The metrics of processes just started (`chatpaneld clients`, `tasks` and `gateway`, scraped
/// before anything but their health was asked): every family README's metrics table lists is
/// exported, and every documented counter with each documented label value, at 0, as
/// Prometheus users expect (a series that appears only with its first event breaks `rate()` and
/// `increase()` over it, and an alert on it cannot tell "none" from "not exported").
@Suite("Metrics of a fresh process", .serialized)
struct FreshProcessMetricsTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The families named in the first column of README's metrics table.
    static func documentedFamilies() throws -> [String] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "### Metrics")).upperBound
        var families: [String] = []
        var inTable = false
        for line in readme[section...].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("|") {
                inTable = true
                guard let first = line.split(separator: "|").first else { continue }
                families += first.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            } else if inTable {
                break
            }
        }
        return families
    }

    /// One sample line of an exposition: its name, labels and value.
    struct Sample: Hashable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    static func samples(_ text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
            else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
            var labels: [String: String] = [:]
            for pair in series[series.index(after: brace)...].dropLast().split(separator: "\",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = parts[1].replacingOccurrences(of: "\"", with: "")
            }
            return Sample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }

    /// What a process exports: its text and its samples.
    struct Exposition {
        let process: String
        let text: String
        let samples: [Sample]

        func has(family: String) -> Bool { text.contains("# TYPE \(family) ") }

        /// The sample of `name` with exactly `labels`, if exported.
        func sample(_ name: String, _ labels: [String: String] = [:]) -> Sample? {
            samples.first { $0.name == name && $0.labels == labels }
        }

        /// Expects `name` with each set of `labels` exported, at 0 when `zero`.
        func expect(_ name: String, _ labelSets: [[String: String]], zero: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
            for labels in labelSets {
                let found = sample(name, labels)
                #expect(found != nil, "\(process): \(name)\(labels) is not exported", sourceLocation: sourceLocation)
                if zero, let found {
                    #expect(found.value == 0, "\(process): \(name)\(labels) = \(found.value)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    private func scrape(_ process: String, in directory: String) async throws -> Exposition {
        let client = RPCClient(configuration: RPCClientConfiguration(socketPath: "\(directory)/\(process).sock"))
        let text: String
        do {
            text = try await client.unary(MetricsV1.Metrics.scrape, MetricsV1.ScrapeRequest()).text
        } catch {
            await client.close()
            throw error
        }
        await client.close()
        return Exposition(process: process, text: text, samples: Self.samples(text))
    }

    static let reasons = ["undecodable", "too_large", "too_slow", "connection_cap"]
    static let outcomes = ["done", "failed", "retried", "refused"]
    static let widgets = ["client", "tags", "products", "tasks", "order", "notes", "summary", "visit", "cart"]
    static let states = ["ok", "unavailable", "timed_out", "forbidden", "disabled"]

    @Test("every documented family, and every documented counter under each documented label value at 0")
    func everyDocumentedSeriesFromTheStart() async throws {
        let families = try Self.documentedFamilies()
        #expect(families.contains("chatpanel_store_idempotent_replays_total") && families.count >= 20, "\(families)")
        try await withTemporaryDirectory { directory in
            let children = Children()
            defer { children.killAll() }
            try await children.startClientsTasksAndGateway(in: directory)

            let gateway = try await scrape("gateway", in: directory)
            let services = [try await scrape("clients", in: directory), try await scrape("tasks", in: directory)]
            for family in families {
                #expect(gateway.has(family: family), "gateway: \(family) is not exported")
                for service in services where !family.hasPrefix("chatpanel_gateway_") {
                    #expect(service.has(family: family), "\(service.process): \(family) is not exported")
                }
            }

            for process in [gateway] + services {
                process.expect("chatpanel_rpc_frames_rejected_total", Self.reasons.map { ["reason": $0] }, zero: true)
                process.expect("chatpanel_store_idempotent_replays_total", [[:]], zero: true)
                process.expect(
                    "chatpanel_jobs_runs_total", Self.outcomes.map { ["job": "idempotency_pruner", "outcome": $0] }, zero: false)
            }
            services[0].expect("chatpanel_jobs_runs_total", Self.outcomes.map { ["job": "tag_job", "outcome": $0] }, zero: true)
            gateway.expect("chatpanel_jobs_runs_total", Self.outcomes.map { ["job": "merge_workflow", "outcome": $0] }, zero: true)
            gateway.expect(
                "chatpanel_gateway_widgets_total",
                Self.widgets.flatMap { widget in Self.states.map { ["widget": widget, "state": $0] } }, zero: true)
            gateway.expect("chatpanel_gateway_panel_key_hints_total", [["outcome": "kept"], ["outcome": "asked_again"]], zero: true)
            gateway.expect("chatpanel_gateway_upstream_breaker_opened_total", [["upstream": "clients"], ["upstream": "tasks"]], zero: true)
            gateway.expect(
                "chatpanel_gateway_upstream_calls_total", [["upstream": "clients", "code": "OK"], ["upstream": "tasks", "code": "OK"]],
                zero: false)
        }
    }
}
