import ArgumentParser

/// `chatpanelctl`: talks to ChatPanel processes over their sockets.
@main
struct ChatPanelCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chatpanelctl",
        abstract: "Talks to ChatPanel processes over their Unix sockets.",
        version: "0.1.0",
        subcommands: [
            HealthCommand.self, ClientsCommands.self, TasksCommands.self, NotesCommands.self, PanelCommand.self, LayoutCommands.self,
            CatalogCommands.self, ProductsCommands.self, CartCommands.self, OrderCommands.self, InsightsCommands.self, DemoCommand.self,
            BackupCommand.self, RestoreCommand.self, MetricsCommand.self, ListCommand.self, DescribeCommand.self, CallCommand.self,
        ])
}
