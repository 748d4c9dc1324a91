import ArgumentParser
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelStore
import Foundation
import Gateway

/// `chatpaneld gateway`: runs the gateway, the panel's one entry point.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gateway", abstract: "Runs the gateway process.")

    @OptionGroup var options: ProcessOptions

    @Option(help: "The clients service's socket (env CHATPANEL_CLIENTS_SOCKET; default <state-dir>/clients.sock).")
    var clientsSocket: String?

    @Option(help: "The tasks service's socket (env CHATPANEL_TASKS_SOCKET; default <state-dir>/tasks.sock).")
    var tasksSocket: String?

    @Option(help: "The orders service's socket (env CHATPANEL_ORDERS_SOCKET; unset: the Products and Cart widgets answer \"not configured\" and merges skip product lists and carts).")
    var ordersSocket: String?

    @Option(help: "The longest a panel may take, in milliseconds (env CHATPANEL_PANEL_TIMEOUT_MS; default 1000).")
    var panelTimeoutMs: Int64?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try options.resolve(name: "gateway")
        let logger = ChatPanelProcess.makeLogger(name: "gateway", level: configuration.logLevel)
        var gatewayConfiguration = GatewayConfiguration(
            clientsSocket: clientsSocket ?? environment["CHATPANEL_CLIENTS_SOCKET"] ?? "\(configuration.stateDirectory)/clients.sock",
            tasksSocket: tasksSocket ?? environment["CHATPANEL_TASKS_SOCKET"] ?? "\(configuration.stateDirectory)/tasks.sock")
        gatewayConfiguration.ordersSocket = ordersSocket ?? environment["CHATPANEL_ORDERS_SOCKET"]
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
            backgroundServices: [gateway.mergeRunner, IdempotencyRecordPruner(store: store.database, logger: logger)], environment: environment, logger: logger)
    }
}
