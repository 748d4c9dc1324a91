import ArgumentParser
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelStore
import Foundation
import TasksService

/// `chatpaneld tasks`: runs the tasks process (a client's tasks and notes).
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tasks", abstract: "Runs the tasks process.")

    @OptionGroup var options: ProcessOptions

    func run() async throws {
        let configuration = try options.resolve(name: "tasks")
        let logger = ChatPanelProcess.makeLogger(name: "tasks", level: configuration.logLevel)
        try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        // Open and migrate before listening: READY=1 means the database is usable.
        let store = try TasksStore(path: "\(configuration.stateDirectory)/tasks.sqlite")
        try await ChatPanelProcess.run(
            configuration: configuration, router: TasksService.makeRouter(store: store),
            health: TasksService.makeHealthReporter(store: store),
            backgroundServices: [IdempotencyRecordPruner(store: store.database, logger: logger)],
            environment: ProcessInfo.processInfo.environment, logger: logger)
    }
}
