import ArgumentParser

/// `chatpanel-bench clients`: the clients benchmark.
struct ClientsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clients", abstract: "Benchmarks clients.")

    func run() async throws {
        print("clients: not built yet")
    }
}
