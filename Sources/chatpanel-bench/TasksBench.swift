import ArgumentParser

/// `chatpanel-bench tasks`: the tasks benchmark.
struct TasksBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tasks", abstract: "Benchmarks tasks.")

    func run() async throws {
        print("tasks: not built yet")
    }
}
