import ArgumentParser
import ChatPanelRuntime
import Foundation
import Gateway

/// `chatpaneld gateway`: runs the gateway, the panel's one entry point.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway", abstract: "Runs the gateway process.",
        discussion: "Each upstream service's socket:\n" + GatewayConfiguration.upstreamSocketsHelp())

    @OptionGroup var options: ProcessOptions

    @Option(help: "The longest a panel may take, in milliseconds (env CHATPANEL_PANEL_TIMEOUT_MS; default 1000).")
    var panelTimeoutMs: Int64?

    @Option(
        help:
            "How many dialogs' card keys to remember, so that a panel asks for its other widgets while its card is read; 0: never (env CHATPANEL_PANEL_KEY_HINTS; default 250000, about 250 bytes each)."
    )
    var panelKeyHints: Int?

    /// The upstreams' socket flags (`--clients-socket PATH`, …), one per upstream the gateway knows.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var upstreamSocketArguments: [String] = []

    func validate() throws {
        do {
            _ = try GatewayConfiguration.upstreamSockets(arguments: upstreamSocketArguments, environment: [:], stateDirectory: "")
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        try await options.serve(GatewayService.self) { process in
            var configuration = GatewayConfiguration(
                upstreamSockets: try GatewayConfiguration.upstreamSockets(
                    arguments: upstreamSocketArguments, environment: environment, stateDirectory: process.stateDirectory))
            func number(_ key: String) throws -> Int? {
                guard let text = environment[key] else { return nil }
                guard let value = Int(text) else { throw ConfigurationError("\(key): '\(text)' is not a number") }
                return value
            }
            if let timeout = try panelTimeoutMs ?? number("CHATPANEL_PANEL_TIMEOUT_MS").map(Int64.init) {
                guard timeout > 0 else { throw ValidationError("the panel timeout must be positive") }
                configuration.panelTimeout = .milliseconds(timeout)
            }
            if let hints = try panelKeyHints ?? number("CHATPANEL_PANEL_KEY_HINTS") {
                guard hints >= 0 else { throw ValidationError("the panel key hints must be 0 or more") }
                configuration.panelKeyHints = hints
            }
            return configuration
        }
    }
}
