import ArgumentParser

/// `chatpanel-bench panel`: the panel benchmark.
struct PanelBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "panel", abstract: "Benchmarks panel.")

    func run() async throws {
        print("panel: not built yet")
    }
}
