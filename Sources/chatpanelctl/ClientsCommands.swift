import ArgumentParser

/// `chatpanelctl clients …`: the clients service's main calls.
struct ClientsCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clients", abstract: "Clients, tags, duplicates and merges.", subcommands: [])
}
