import ArgumentParser

/// `chatpanel-bench rpc`: unary round trips over a Unix socket next to the C floor.
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rpc", abstract: "Benchmarks unary RPC calls against a C floor.")

    func run() async throws {
        print("rpc: not built yet")
    }
}
