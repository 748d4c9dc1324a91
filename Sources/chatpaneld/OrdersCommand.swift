import ArgumentParser
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelStore
import Foundation
import OrdersService

/// `chatpaneld orders`: runs the orders process (the catalog and picker, product lists, carts).
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "orders", abstract: "Runs the orders process.")

    @OptionGroup var options: ProcessOptions

    func run() async throws {
        let configuration = try options.resolve(name: "orders")
        let logger = ChatPanelProcess.makeLogger(name: "orders", level: configuration.logLevel)
        try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        // Open and migrate before listening: READY=1 means the database is usable.
        let store = try OrdersStore(path: "\(configuration.stateDirectory)/orders.sqlite")
        try await ChatPanelProcess.run(
            configuration: configuration, router: OrdersService.makeRouter(store: store),
            health: OrdersService.makeHealthReporter(store: store),
            backgroundServices: [IdempotencyRecordPruner(store: store.database, logger: logger)],
            environment: ProcessInfo.processInfo.environment, logger: logger)
    }
}
