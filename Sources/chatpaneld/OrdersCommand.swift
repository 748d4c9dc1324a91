import ArgumentParser
import ChatPanelRuntime
import Foundation
import OrdersService

/// `chatpaneld orders`: runs the orders process (the catalog and picker, product lists, carts,
/// orders).
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "orders", abstract: "Runs the orders process.")

    @OptionGroup var options: ProcessOptions

    @Option(
        help: """
            A JSON file with the orders' currency, price type, number prefix, statuses (with their required fields) \
            and payment types (env: \(OrdersConfiguration.settingsEnvironmentKey); default: the built-in settings).
            """)
    var orderSettings: String?

    func run() async throws {
        var configuration = OrdersConfiguration()
        if let path = orderSettings ?? ProcessInfo.processInfo.environment[OrdersConfiguration.settingsEnvironmentKey], !path.isEmpty {
            do {
                configuration = try OrdersConfiguration.load(contentsOf: path)
            } catch {
                throw ValidationError("--order-settings \(path): \(error)")
            }
        }
        let problems = configuration.problems
        guard problems.isEmpty else { throw ValidationError("order settings: " + problems.joined(separator: "; ")) }
        try await options.serve(OrdersService.self, configuration: configuration)
    }
}
