import ArgumentParser
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelStore
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
        let configuration = try options.resolve(name: "gateway")
        let logger = ChatPanelProcess.makeLogger(name: "gateway", level: configuration.logLevel)
        var gatewayConfiguration = GatewayConfiguration(
            upstreamSockets: try GatewayConfiguration.upstreamSockets(
                arguments: upstreamSocketArguments, environment: environment, stateDirectory: configuration.stateDirectory))
        if let timeout = panelTimeoutMs ?? environment["CHATPANEL_PANEL_TIMEOUT_MS"].flatMap({ Int64($0) }) {
            guard timeout > 0 else { throw ValidationError("the panel timeout must be positive") }
            gatewayConfiguration.panelTimeout = .milliseconds(timeout)
        }
        try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        // Open and migrate before listening: READY=1 means the database is usable.
        let store = try GatewayStore(path: "\(configuration.stateDirectory)/gateway.sqlite")
        let gateway = GatewayService(configuration: gatewayConfiguration, store: store, logger: logger)
        try await ChatPanelProcess.run(
            configuration: configuration, router: gateway.makeRouter(), health: gateway.makeHealthReporter(),
            backgroundServices: gateway.services + [IdempotencyRecordPruner(store: store.database, logger: logger)],
            environment: environment, logger: logger)
    }
}
