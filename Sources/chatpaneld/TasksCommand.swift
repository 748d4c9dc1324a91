import ArgumentParser

/// `chatpaneld tasks`: runs the tasks process.
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tasks", abstract: "Runs the tasks process.")

    @OptionGroup var options: ProcessOptions

    func run() async throws {
        throw ValidationError("the tasks process is not built yet")
    }
}
