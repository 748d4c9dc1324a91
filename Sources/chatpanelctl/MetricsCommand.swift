import ArgumentParser
import ChatPanelProto
import ChatPanelRPC

/// `chatpanelctl metrics`: a process's metrics in the Prometheus text format.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Prints a process's metrics (Prometheus text format).")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let response = try await connection.withClient(defaultPath: "run/state/gateway.sock") { client in
            try await client.unary(MetricsV1.Metrics.scrape, MetricsV1.ScrapeRequest())
        }
        print(response.text, terminator: "")
    }
}
