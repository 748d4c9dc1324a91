import ArgumentParser

/// `chatpaneld`: every ChatPanel process, one subcommand each.
@main
struct ChatPanelDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chatpaneld",
        abstract: "Runs one ChatPanel process.",
        version: "0.1.0",
        subcommands: [
            ClientsCommand.self, TasksCommand.self, OrdersCommand.self, InsightsCommand.self, GatewayCommand.self, EchoCommand.self,
            ExporterCommand.self,
        ])
}
