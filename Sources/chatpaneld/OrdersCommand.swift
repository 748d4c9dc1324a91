import ArgumentParser
import ChatPanelRuntime
import Foundation
import OrdersService

/// `chatpaneld orders`: runs the orders process (the catalog and picker, product lists, carts).
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "orders", abstract: "Runs the orders process.")

    @OptionGroup var options: ProcessOptions

    func run() async throws {
        try await options.serve(OrdersService.self, configuration: ())
    }
}
