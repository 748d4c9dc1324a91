import ArgumentParser
import ChatPanelProto
import ChatPanelRPC

/// `chatpanelctl health`: asks any ChatPanel socket how the process is.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Checks a process's health.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "A component to ask about (empty: the whole process).")
    var component: String = ""

    func run() async throws {
        let client = try connection.makeClient(defaultPath: "run/state/gateway.sock")
        var request = HealthV1.HealthCheckRequest()
        request.service = component
        let response = try await runCall { try await client.unary(HealthV1.Health.check, request) }
        await client.close()
        try connection.output(response) {
            var lines = ["\(response.process) \(response.version): \(response.status.protoName)"]
            lines.append("  uptime \(response.uptimeMs / 1000) s, \(response.callsInFlight) calls in flight")
            for component in response.components {
                lines.append("  \(component.name): \(component.status.protoName)\(component.detail.isEmpty ? "" : " (\(component.detail))")")
            }
            return lines.joined(separator: "\n")
        }
        if response.status != .serving { throw ExitCode(1) }
    }
}
