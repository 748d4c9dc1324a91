import ArgumentParser
import ChatPanelRuntime
import Foundation
import TasksService

/// `chatpaneld tasks`: runs the tasks process (a client's tasks and notes).
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tasks", abstract: "Runs the tasks process.")

    @OptionGroup var options: ProcessOptions

    func run() async throws {
        try await options.serve(TasksService.self, configuration: ())
    }
}
