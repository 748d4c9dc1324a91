import ArgumentParser

/// `chatpanel-bench`: benchmarks that print numbers (never pass/fail assertions).
@main
struct ChatPanelBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chatpanel-bench",
        abstract: "Measures ChatPanel and prints the figures.",
        subcommands: [
            RPCBench.self, ClientsBench.self, TasksBench.self, PanelBench.self, CostBench.self, CallEcho.self, PoolCallers.self, NIOEchoServer.self, NIOEchoCallers.self, CatalogBench.self, CrashBench.self,
            OrdersBench.self,
            InsightsBench.self, LiveBench.self,
        ])
}
